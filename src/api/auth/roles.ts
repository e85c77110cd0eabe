/** API key roles, least to most privileged (their own module: the CLI lists them without loading the key store). */
export const ROLES = ['reader', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];
