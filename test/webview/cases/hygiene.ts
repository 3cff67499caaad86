// Last: nothing the page did along the way broke the CSP, failed to load or threw.
import type { Entry } from './case';
import { assert } from '../harness';

export const hygiene: Entry[] = [
  {
    name: 'no console errors, CSP violations or failed requests',
    async run({ panel }) {
      const unique = [...new Set(panel.problems)];
      assert(unique.length === 0, `${unique.length} distinct problem(s):\n${unique.slice(0, 8).join('\n')}`);
    },
  },
];
