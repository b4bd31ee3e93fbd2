// The shape of a block as the API returns it (BlockOut in apps/server/src/schemas.ts).
export interface Block {
  id: string;
  name: string;
  blockClass: string;
  content: string;
  readonly: boolean;
  metadata: Record<string, unknown>;
  permissions?: { read?: string[]; write?: string[] };
  version: number;
  createdAt: string;
  updatedAt: string;
  expiresAt?: string;
}

export interface HistoryEntry {
  version: number;
  type: string;
  content: string;
  metadata: Record<string, unknown>;
  actor: string;
  at: string;
}

export const permissionText = (list: string[] | undefined) =>
  list === undefined ? 'anyone' : list.length === 0 ? 'nobody' : list.join(', ');
