// The `master:` config section.
import { type HttpApiToken, type JsonSchema, MIN_HTTP_API_TOKEN_CHARS } from '@mooseng/core';
import { DEFAULT_EXPORTS, type ExportRuleConfig } from './exports';

export interface MasterSection {
  /** Address to listen on for the control API. */
  host: string;
  /** Control API (gRPC) port for clients and chunkservers. */
  port: number;
  /** HTTP port: /health, /status, /metrics, REST API, dashboard. */
  httpPort: number;
  /** Host other nodes reach this master at. */
  advertiseHost: string;
  /** Replica count for new files unless a parent directory says otherwise. */
  defaultGoal: number;
  /** A chunkserver silent this long is dead and its replicas are re-created elsewhere. */
  chunkserverTimeoutMs: number;
  /** A client session the leader hears nothing from this long is closed: the files it held open are released. */
  sessionTimeoutMs: number;
  /** New chunks the leader keeps created on chunkservers ahead of need, per goal (NewChunkPool); 0, the default, turns it off. */
  newChunkPoolSize: number;
  /** Bearer tokens of the HTTP API's routes that change something, each with the identity its holder acts as. */
  httpApiTokens: HttpApiToken[];
  /** Which client networks may use the file system, and how (exports.ts); first match wins. */
  exports: ExportRuleConfig[];
  /** With node.tls: take plain connections on the control port too, while clients and chunkservers move to TLS. */
  allowPlainControl: boolean;
  /** Serve the HTTP port over HTTPS with node.tls's certificate. */
  httpTls: boolean;
}

export const MASTER_SECTION_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Master server: namespace, chunk map, control API',
  additionalProperties: false,
  default: {},
  properties: {
    host: { type: 'string', default: '0.0.0.0', description: 'Listen address of the control API and HTTP port' },
    port: {
      type: 'integer',
      minimum: 1,
      maximum: 65535,
      default: 9421,
      description: 'Control API (gRPC) port (env MOOSENG_GRPC_PORT or MOOSENG_LISTEN_PORT)',
    },
    httpPort: {
      type: 'integer',
      minimum: 1,
      maximum: 65535,
      default: 9423,
      description: 'HTTP port: /health, /status, /metrics, REST API (env MOOSENG_METRICS_PORT)',
    },
    allowPlainControl: {
      type: 'boolean',
      default: false,
      description:
        'With node.tls the control port takes TLS only; true takes plain connections too (no certificate, no encryption; chunkservers then register with the cluster secret alone), for a migration while clients and chunkservers get node.tls. Turn it off again once they have',
    },
    httpTls: {
      type: 'boolean',
      default: false,
      description:
        'Serve the HTTP port (/health, /status, /metrics, REST API, dashboard) over HTTPS with the certificate of node.tls, every route included; needs node.tls',
    },
    advertiseHost: { type: 'string', default: '127.0.0.1', description: 'Address other nodes use to reach this master' },
    defaultGoal: {
      type: 'integer',
      minimum: 1,
      maximum: 9,
      default: 2,
      description: 'Replicas per chunk for new files (inherited from the parent directory when set there)',
    },
    chunkserverTimeoutMs: {
      type: 'integer',
      minimum: 1000,
      default: 10000,
      description: 'A chunkserver silent this long is dead; its chunks are re-replicated',
    },
    sessionTimeoutMs: {
      type: 'integer',
      minimum: 2000,
      default: 300000,
      description:
        'A client (mount) silent this long loses its session: files it held open are released, unlinked ones freed (clients keep alive every quarter of it)',
    },
    newChunkPoolSize: {
      type: 'integer',
      minimum: 0,
      maximum: 1024,
      default: 0,
      description:
        'New chunks the leader keeps created on chunkservers ahead of need, per goal, so that a create for writing takes its chunk 0 with it and a small file costs two commits instead of three; 0 (the default) turns the pool off: it widens a window in which a chunkserver whose disks go back to an older copy can lose acknowledged writes (docs/chunk-lifecycle.md#the-pool-of-new-chunks)',
    },
    exports: {
      type: 'array',
      minItems: 1,
      default: DEFAULT_EXPORTS,
      description:
        'Which clients may use the file system and how, like MooseFS mfsexports.cfg: the first rule whose networks hold the client address applies to each of its calls; a client no rule matches is refused (EACCES). Default: everyone, read-write, root kept',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['networks'],
        properties: {
          networks: {
            type: 'array',
            minItems: 1,
            items: { type: 'string', minLength: 1 },
            description: 'Addresses and networks ("10.0.0.0/8", "192.168.1.7", "::1"), or "*" for any',
          },
          certificates: {
            type: 'array',
            default: [],
            items: { type: 'string', minLength: 1 },
            description:
              'Client certificates the rule is for, as ROLE/NAME (their OU/CN, e.g. client/alice) or ROLE/*; empty: any caller, with a certificate or without',
          },
          directory: {
            type: 'string',
            default: '/',
            description:
              "The directory the clients see as the root of the file system (mfsexports.cfg's DIRECTORY): they can name nothing outside it; it must exist when a session opens",
          },
          access: { enum: ['rw', 'ro'], default: 'rw', description: 'ro: every change is refused at the master (EROFS)' },
          maproot: { type: 'string', default: '', description: 'uid:gid that root acts as (e.g. 65534:65534); empty keeps root' },
          mapall: { type: 'string', default: '', description: 'uid:gid that every caller acts as; empty keeps each its own' },
          minGoal: { type: 'integer', minimum: 1, maximum: 9, default: 1, description: 'Lowest goal a client may set' },
          maxGoal: { type: 'integer', minimum: 1, maximum: 9, default: 9, description: 'Highest goal a client may set' },
          password: {
            type: 'string',
            default: '',
            description:
              'A password clients must prove they know when they open a session (client.password); empty: none. Needs the cluster secret, which binds sessions to it',
          },
        },
      },
    },
    httpApiTokens: {
      type: 'array',
      default: [],
      description:
        'Bearer tokens of the HTTP API routes that change something (POST /api/v1/filesystem/create), each acting as its uid and groups; none: those routes are off. `mooseng cluster up` makes one for the user who ran it',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'token', 'uid', 'gids'],
        properties: {
          name: { type: 'string', minLength: 1, description: 'What the token is for, for the logs' },
          token: {
            type: 'string',
            minLength: MIN_HTTP_API_TOKEN_CHARS,
            description: `The secret, at least ${MIN_HTTP_API_TOKEN_CHARS} characters`,
          },
          uid: { type: 'integer', minimum: 0, description: 'The user the holder acts as' },
          gids: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1, description: 'Its groups, the primary first' },
        },
      },
    },
  },
};
