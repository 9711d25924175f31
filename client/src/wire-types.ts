// The ClientToMaster replies the client reads, as proto-loader decodes them (camelCase, 64-bit values as numbers).

export interface WireAttr {
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  rdev: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  goal: number;
  hasXattrs: boolean;
}

export interface WireChunkLocation {
  serverId: string;
  address: string;
}

export interface WireReadChunk {
  chunkId: number;
  version: number;
  fileLength: number;
  locations: WireChunkLocation[];
}

export interface WireWriteChunk {
  chunkId: number;
  version: number;
  fileLength: number;
  chain: WireChunkLocation[];
  isNew: boolean;
  truncateTo: number;
}

export interface WireDirPage {
  entries: Array<{ name: string; attr: WireAttr }>;
  more: boolean;
}

export interface WireStatFs {
  totalBytes: number;
  freeBytes: number;
  files: number;
  freeFiles: number;
  blockSize: number;
  nameMax: number;
}
