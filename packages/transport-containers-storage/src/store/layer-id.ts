// Layer IDs as containers/image makes them (not OCI ChainIDs): a base layer's ID is its DiffID's
// hex; every other is sha256(parentID + "+" + diffIDhex).
import { createHash } from 'node:crypto';

export function layerId(parentId: string | undefined, diffId: string): string {
  const hex = diffId.replace(/^sha256:/, '');
  if (parentId === undefined) return hex;
  return createHash('sha256').update(`${parentId}+${hex}`).digest('hex');
}
