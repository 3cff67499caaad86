// The handshake: the panel says ready once its script listens, and draws what the host then replays.
import type { Entry } from './case';
import { assertEqual, until } from '../harness';

export const handshake: Entry[] = [
  {
    name: 'the panel says ready once its script listens',
    async run({ panel }) {
      const ready = await until("'ready'", async () => (await panel.postedOfType('ready')).length);
      assertEqual(ready, 1, 'ready messages');
    },
  },
  {
    setup: 'the host replays the recorded job, its saliency scores and the run list',
    async run({ panel, fx }) {
      await panel.send({ type: 'replay', events: fx.events, jobRunning: false });
      await panel.send(fx.scores);
      await panel.send({ type: 'runs', runs: fx.runs });
      await panel.page.waitForSelector('li.layer');
      await panel.frame();
    },
  },
];
