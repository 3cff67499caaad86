import { tf } from '../tf';
import type { BackendImpl } from './attempt';

export const cpuBackend: BackendImpl = {
  async start() {
    const ok = await tf.setBackend('cpu');
    await tf.ready();
    return ok ? { ok, why: 'cpu', detail: 'pure JavaScript' } : { ok, why: 'cpu backend failed to initialise' };
  },
  hint: 'Reinstall the extension or run npm ci.',
};
