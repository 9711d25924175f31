// Generated from .proto files in core/src/protocol by `npm run gen:proto` (proto-loader-gen-types); do not edit.
// Original file: core/src/protocol/client.proto

import type { Long } from '@grpc/proto-loader';

export interface Attr {
  'ino'?: (number | string | Long);
  /**
   * file type and permission bits, as in stat(2)
   */
  'mode'?: (number);
  'nlink'?: (number);
  'uid'?: (number);
  'gid'?: (number);
  'size'?: (number | string | Long);
  'rdev'?: (number | string | Long);
  'atimeMs'?: (number | string | Long);
  'mtimeMs'?: (number | string | Long);
  'ctimeMs'?: (number | string | Long);
  'goal'?: (number);
  /**
   * any extended attribute at all: lets clients answer probes for absent ones locally
   */
  'hasXattrs'?: (boolean);
  /**
   * files: the bytes their chunks cover (whole-chunk holes count nothing), for st_blocks; others: size
   */
  'storedBytes'?: (number | string | Long);
}

export interface Attr__Output {
  'ino': (number);
  /**
   * file type and permission bits, as in stat(2)
   */
  'mode': (number);
  'nlink': (number);
  'uid': (number);
  'gid': (number);
  'size': (number);
  'rdev': (number);
  'atimeMs': (number);
  'mtimeMs': (number);
  'ctimeMs': (number);
  'goal': (number);
  /**
   * any extended attribute at all: lets clients answer probes for absent ones locally
   */
  'hasXattrs': (boolean);
  /**
   * files: the bytes their chunks cover (whole-chunk holes count nothing), for st_blocks; others: size
   */
  'storedBytes': (number);
}
