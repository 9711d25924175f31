// placeholder replaced below
export const manifest = { apiVersion: '1.0', provides: [] };
