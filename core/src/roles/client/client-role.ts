// The client role: a FUSE mount. Steps arrive with the client issue (#6).
import type { RoleDefinition } from '../role-definition';
import { CLIENT_SECTION_SCHEMA } from './client-config';

export const clientRole: RoleDefinition = {
  name: 'client',
  section: CLIENT_SECTION_SCHEMA,
  slots: [{ kind: 'metrics', defaultId: 'metrics-prometheus', optional: true }],
  steps: () => [],
};
