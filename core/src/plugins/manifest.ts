// The plugin contract: what a plugin package exports, and what the host hands each contribution when it builds it.
import type { EnvBinding } from '../config/environment';
import type { IClock } from '../contracts/clock';
import type { ILogger } from '../contracts/logger';
import type { IMetrics } from '../contracts/metrics';
import type { IRandom } from '../contracts/random';
import type { JsonSchema } from '../config/json-schema';

/**
 * The core API version plugins declare in `apiVersion`. The major part changes when a contract changes
 * incompatibly; the host accepts a plugin of the same major and a minor not newer than its own.
 * 1.1: a contribution may declare the MOOSENG_* variables of its section (`environment`).
 */
export const CORE_API_VERSION = '1.1';

/** The roles a process can run. */
export type RoleName = 'master' | 'chunkserver' | 'client';
export const ROLE_NAMES: readonly RoleName[] = ['master', 'chunkserver', 'client'];

/**
 * Extension points, each with its contract in core/src/contracts/:
 * chunk-store → IChunkStoreFactory, consensus → IConsensus, placement → IPlacement, compressor → ICompressor,
 * metrics → IMetrics, mount → IMount.
 */
export type ContributionKind = 'chunk-store' | 'consensus' | 'placement' | 'compressor' | 'metrics' | 'mount';
export const CONTRIBUTION_KINDS: readonly ContributionKind[] = ['chunk-store', 'consensus', 'placement', 'compressor', 'metrics', 'mount'];

/** Facts about the process building a contribution. */
export interface NodeInfo {
  role: RoleName;
  /** This node's id (node.id in the config). */
  id: string;
  clusterId: string;
  /** Where this node keeps its state (node.dataDir). */
  dataDir: string;
  /**
   * The cluster secret's file (node.clusterSecretFile), '' for none: a plugin that talks to other members (the
   * consensus) proves membership with it (core's MemberProofKey). Optional for hosts built before it.
   */
  clusterSecretFile?: string;
  /** The node's TLS files (node.tls); absent or all '' for none. */
  tls?: { caFile: string; certFile: string; keyFile: string };
}

/**
 * What the host gives a contribution's factory. Plugins get services from here instead of importing their own copy
 * of tsyringe or constructing core services themselves, so a user-installed plugin with its own node_modules still
 * shares the host's logger, metrics, clock and randomness.
 */
export interface PluginContext<Config = Record<string, unknown>> {
  /** The plugin's config section, validated against its schema with defaults filled in. */
  config: Config;
  /** A logger already tagged with the role, node and plugin id. */
  logger: ILogger;
  metrics: IMetrics;
  clock: IClock;
  random: IRandom;
  node: NodeInfo;
  /**
   * The whole validated config of the process, read-only, for plugins that need a core setting (a port, the
   * master's peer list).
   */
  processConfig: Readonly<Record<string, unknown>>;
  /** Resolves a service another contribution or the role registered (a token from contracts/). */
  resolve<T>(token: symbol): T;
  /** An AbortSignal that fires when the role is stopping. */
  signal: AbortSignal;
}

/** A requirement on the rest of the process's configuration, checked before anything is built. */
export interface Requirement {
  kind: ContributionKind;
  /** A specific contribution id; any of the kind when absent. */
  id?: string;
}

/** One implementation a plugin provides. */
// `any` by default so that contributions with their own config types fit one Contribution[] (a parameter type is
// contravariant: Contribution<{ level: number }> is not a Contribution<unknown>).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface Contribution<Config = any, Service = unknown> {
  kind: ContributionKind;
  /** Globally unique id; the config selects it by this id and configures it in a section of the same name. */
  id: string;
  /** The roles it may serve. */
  roles: readonly RoleName[];
  /** One line for `mooseng plugins inspect` and `config init`. */
  description: string;
  /** JSON Schema (draft-07) of its config section; `default` and `description` on each property are used. */
  configSchema?: JsonSchema;
  requires?: readonly Requirement[];
  /**
   * MOOSENG_* variables that set settings of its own section (each path starts with its id, e.g.
   * `replication-raft.peers`); applied when it is selected, after the role's own variables.
   */
  environment?: readonly EnvBinding[];
  /** Builds the service. Called once per role instance, after the config is validated. */
  create(context: PluginContext<Config>): Service | Promise<Service>;
  /** Releases what `create` acquired; called in reverse order when the role stops. */
  dispose?(service: Service): Promise<void> | void;
}

/** What a plugin package's manifest module exports (as `manifest` or as its default export). */
export interface PluginManifest {
  /** The CORE_API_VERSION the plugin was built against, "major.minor". */
  apiVersion: string;
  provides: readonly Contribution[];
}

/** A manifest together with the package it came from. */
export interface LoadedPlugin {
  /** npm package name. */
  name: string;
  version: string;
  /** Directory of the package. */
  root: string;
  manifest: PluginManifest;
}

/** Identity helper that type-checks a manifest. */
export function definePlugin(manifest: PluginManifest): PluginManifest {
  return manifest;
}
