// The DI token each kind of contribution is registered under in a role's container.
import { IChunkStoreFactory } from '../contracts/chunk-store';
import { ICompressor } from '../contracts/compressor';
import { IConsensus } from '../contracts/consensus';
import { IMetrics } from '../contracts/metrics';
import { IMount } from '../contracts/mount';
import { IPlacement } from '../contracts/placement';
import type { ContributionKind } from './manifest';

export const KIND_TOKENS: Readonly<Record<ContributionKind, symbol>> = {
  'chunk-store': IChunkStoreFactory,
  consensus: IConsensus,
  placement: IPlacement,
  compressor: ICompressor,
  metrics: IMetrics,
  mount: IMount,
};
