/** Client nodes, the same for every emulation: each is told the one address it talks to. */
import type { Config } from '../config/schema.js';
import { clientMachine, type ClientDisk, type ClientInput } from '../roles/client.js';
import type { NodeSpec } from '../sim/router.js';

export function clientSpecs(config: Config, clients: readonly string[], serverOf: (client: number) => string): NodeSpec[] {
  return clients.map((id, i) => ({
    id,
    client: true,
    machine: clientMachine,
    input: (disk: unknown): ClientInput => ({
      id: i + 1,
      server: serverOf(i + 1),
      workload: config.workload,
      seed: config.seed,
      timeout_ms: config.workload.timeout_ms,
      ...(disk ? { disk: disk as ClientDisk } : {}),
    }),
  }));
}
