// Short names for the client.proto messages the client passes around: aliases of the generated types, not copies.
import type { ClientMessage, ReplyOf } from '@mooseng/core';

/** Attributes of an inode (Attr): 64-bit fields as numbers, times in ms. */
export type WireAttr = ClientMessage<'Attr'>;
/** One replica of a chunk: the chunkserver's id and data-plane address. */
export type WireChunkLocation = ClientMessage<'ChunkLocation'>;
/** Where a chunk is, for reading. */
export type WireReadChunk = ReplyOf<'ReadChunk'>;
/** A write grant: version, chain, and whether the chain must create or first cut the chunk. */
export type WireWriteChunk = ReplyOf<'WriteChunk'>;
/** One ReadDir page (each entry's attr may be null on the wire: see replyAttr). */
export type WireDirPage = ReplyOf<'ReadDir'>;
/** StatFs figures. */
export type WireStatFs = ReplyOf<'StatFs'>;
