import { tf } from '../../tf';
import { reinstallHint, type BackendImpl } from '../attempt';

export const cpuBackend: BackendImpl = {
  async start() {
    const ok = await tf.setBackend('cpu');
    await tf.ready();
    return ok ? { ok, why: 'cpu', detail: 'pure JavaScript' } : { ok, why: 'cpu backend failed to initialise' };
  },
  hint: reinstallHint,
};
