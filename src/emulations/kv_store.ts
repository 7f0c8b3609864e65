/** The baseline emulation: one kv server, and clients making random requests to it. */
import type { Config } from '../config/schema.js';
import { SERVER, topologyOf } from '../config/nodes.js';
import { serverMachine, type ServerInput } from '../roles/server.js';
import { rulesFor, type Mutants } from '../roles/mutants.js';
import type { NodeSpec } from '../sim/router.js';
import { clientSpecs } from './clients.js';

export function kvStoreNodes(config: Config, mutants: Mutants): NodeSpec[] {
  const server: NodeSpec = {
    id: SERVER,
    machine: serverMachine,
    input: (): ServerInput => ({ dedup: rulesFor(mutants).dedupRetries }),
  };
  return [server, ...clientSpecs(config, topologyOf(config).clients, () => SERVER)];
}
