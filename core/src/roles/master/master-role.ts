// The master role: namespace and chunk map on IConsensus. Its service steps arrive with the master issue (#5).
import type { RoleDefinition } from '../role-definition';
import { MASTER_SECTION_SCHEMA } from './master-config';

export const masterRole: RoleDefinition = {
  name: 'master',
  section: MASTER_SECTION_SCHEMA,
  slots: [
    { kind: 'metrics', defaultId: 'metrics-prometheus', optional: true },
    { kind: 'placement', defaultId: 'placement-hrw', optional: false },
    { kind: 'consensus', defaultId: 'replication-raft', optional: false },
  ],
  steps: () => [],
};
