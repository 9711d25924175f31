// The chunkserver role: chunk stores on each data directory behind the data plane. Steps arrive with issue #3.
import type { RoleDefinition } from '../role-definition';
import { CHUNKSERVER_SECTION_SCHEMA } from './chunkserver-config';

export const chunkserverRole: RoleDefinition = {
  name: 'chunkserver',
  section: CHUNKSERVER_SECTION_SCHEMA,
  slots: [
    { kind: 'metrics', defaultId: 'metrics-prometheus', optional: true },
    { kind: 'compressor', defaultId: 'none', optional: true },
    { kind: 'chunk-store', defaultId: 'storage-fs', optional: false },
  ],
  steps: () => [],
};
