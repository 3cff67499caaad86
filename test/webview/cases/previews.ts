// The γ control asks the host for previews through the typed channel: one request in flight, the
// latest wish queued, stale answers dropped, answers checked against PreviewThresholdRequest.
import type { Ctx, Entry } from './case';
import { assert, assertClose, assertEqual, until } from '../harness';

function preview(ctx: Ctx, key: string): NonNullable<Ctx['fx']['previews'][string]> {
  const p = ctx.fx.previews[key];
  if (!p) throw new Error(`the recording has no preview ${key}`);
  return p;
}

function inFlight(ctx: Ctx): number {
  if (ctx.requestId === undefined) throw new Error('no preview request in flight (an earlier case failed)');
  return ctx.requestId;
}

export const previews: Entry[] = [
  {
    name: 'moving the slider posts one previewThreshold request',
    async run(ctx) {
      const { panel } = ctx;
      await panel.page.locator('#ratio-slider').fill('0.1');
      const reqs = await panel.nthPosted('previewThreshold', 1);
      assertEqual(reqs.length, 1, 'requests');
      assertEqual(reqs[0].by, 'ratio', 'by');
      assertClose(Number(reqs[0].value), 0.1, 'value');
      assert(Number.isSafeInteger(reqs[0].requestId), 'requestId is an integer');
      ctx.requestId = reqs[0].requestId;
      assertEqual(await panel.page.inputValue('#ratio-input'), '0.1', 'the number box follows the slider');
    },
  },
  {
    name: 'while one request is in flight, further moves wait and only the latest is kept',
    async run({ panel }) {
      await panel.page.locator('#ratio-slider').fill('0.2');
      await panel.page.locator('#ratio-slider').fill('0.9');
      await panel.frame();
      assertEqual((await panel.postedOfType('previewThreshold')).length, 1, 'requests in flight');
    },
  },
  {
    name: 'the answer redraws the bars; then the latest wish (0.9) is asked, not 0.2',
    async run(ctx) {
      const { panel, fx } = ctx;
      const p10 = preview(ctx, 'ratio:0.1');
      const first = inFlight(ctx);
      await panel.reply(first, p10);
      await until('bars at ratio 0.1', async () => Math.abs((await panel.barFractions())[0].fraction - p10.layers[0].fraction) < 1e-12);
      const bars = await panel.barFractions();
      p10.layers.forEach((l, i) => assertClose(bars[i].fraction, l.fraction, `${l.name} at ratio 0.1`));
      assert(
        p10.layers.some((l, i) => Math.abs(l.fraction - fx.summary.layers[i].salientFraction) > 1e-6),
        'the preview should differ from the job’s mask',
      );
      assertEqual(await panel.page.getAttribute('svg.histogram .gamma-line', 'data-gamma'), String(p10.gamma), 'γ line follows the preview');
      const reqs = await panel.nthPosted('previewThreshold', 2);
      assertClose(Number(reqs[1].value), 0.9, 'queued value');
      assert(reqs[1].requestId !== first, 'a new request id');
      ctx.requestId = reqs[1].requestId;
    },
  },
  {
    name: 'a stale answer is ignored; the current one is drawn',
    async run(ctx) {
      const { panel } = ctx;
      const current = inFlight(ctx);
      const p10 = preview(ctx, 'ratio:0.1');
      await panel.reply(current - 1, preview(ctx, 'ratio:0.2'));
      await panel.frame();
      assertClose((await panel.barFractions())[0].fraction, p10.layers[0].fraction, 'bars unchanged by a stale answer');
      const p90 = preview(ctx, 'ratio:0.9');
      await panel.reply(current, p90);
      await until(
        'bars at ratio 0.9',
        async () => Math.abs(((await panel.barFractions()).at(-1)?.fraction ?? NaN) - (p90.layers.at(-1)?.fraction ?? NaN)) < 1e-12,
      );
      const bars = await panel.barFractions();
      p90.layers.forEach((l, i) => assertClose(bars[i].fraction, l.fraction, `${l.name} at ratio 0.9`));
      const readout = (await panel.page.textContent('#gamma-readout')) ?? '';
      assert(readout.includes(p90.salientWeights.toLocaleString('en-US')), `readout "${readout}" lacks ${p90.salientWeights}`);
    },
  },
  {
    name: 'typing γ asks by γ and shows the ratio it implies',
    async run(ctx) {
      const { panel } = ctx;
      await panel.page.locator('#gamma-input').fill('1e-3');
      await panel.page.locator('#gamma-input').press('Enter');
      const reqs = await panel.nthPosted('previewThreshold', 3);
      assertEqual(reqs[2].by, 'gamma', 'by');
      assertClose(Number(reqs[2].value), 0.001, 'γ');
      const pg = preview(ctx, 'gamma:0.001');
      await panel.page.locator('#gamma-input').blur();
      await panel.reply(Number(reqs[2].requestId), pg);
      await until('bars at γ 1e-3', async () => Math.abs((await panel.barFractions())[0].fraction - pg.layers[0].fraction) < 1e-12);
      assertEqual(await panel.page.inputValue('#ratio-input'), String(Number(pg.ratio.toFixed(4))), 'ratio box');
    },
  },
  {
    name: '"Apply to next run" posts the previewed ratio',
    async run(ctx) {
      const pg = preview(ctx, 'gamma:0.001');
      await ctx.panel.page.click('vscode-button[data-action="applySaliencyRatio"]');
      const [applied] = await ctx.panel.nthPosted('applySaliencyRatio', 1);
      assertEqual(applied.ratio, Number(pg.ratio.toFixed(4)), 'ratio');
    },
  },
  {
    name: 'a malformed host message is ignored and logged',
    async run({ panel, fx }) {
      const before = (await panel.warnings()).length;
      await panel.send({ type: 'reply', requestId: 'x', reply: { ratio: 'all' } });
      await panel.frame();
      const warnings = await panel.warnings();
      assert(
        warnings.length === before + 1 && /ignored an unexpected message/.test(warnings.at(-1) ?? ''),
        `warnings: ${JSON.stringify(warnings.slice(before))}`,
      );
      assertEqual((await panel.barFractions()).length, fx.summary.layers.length, 'bars still drawn');
    },
  },
  {
    name: 'a reply that does not match its request’s definition is rejected and logged; the bars stay',
    async run(ctx) {
      const { panel } = ctx;
      const barsBefore = await panel.barFractions();
      await panel.page.locator('#ratio-slider').fill('0.3');
      const reqs = await panel.nthPosted('previewThreshold', 4);
      const before = (await panel.warnings()).length;
      await panel.reply(Number(reqs[3].requestId), { ratio: 0.3, gamma: 1, salientWeights: 1, totalWeights: 2, layers: [{ name: 'x' }] });
      await panel.frame();
      const warnings = (await panel.warnings()).slice(before);
      assert(
        warnings.some((w) => /ignored an unexpected message/.test(w)),
        `warnings: ${JSON.stringify(warnings)}`,
      );
      assertEqual(JSON.stringify(await panel.barFractions()), JSON.stringify(barsBefore), 'bars unchanged');
    },
  },
  {
    name: 'an error reply (no saliency map on the host) is logged and frees the way for the next request',
    async run(ctx) {
      const { panel } = ctx;
      await panel.page.locator('#ratio-slider').fill('0.4');
      const reqs = await panel.nthPosted('previewThreshold', 5);
      const before = (await panel.warnings()).length;
      await panel.send({ type: 'reply', requestId: reqs[4].requestId, error: 'No saliency map has been read yet.' });
      await until('the warning', async () => (await panel.warnings()).slice(before).some((w) => w.includes('no preview: No saliency map has been read yet.')));
      // Nothing waits in flight any more: the next move is asked at once; its answer restores the γ = 1e-3 bars.
      await panel.page.locator('#gamma-input').fill('1e-3');
      await panel.page.locator('#gamma-input').press('Enter');
      const next = await panel.nthPosted('previewThreshold', 6);
      await panel.page.locator('#gamma-input').blur();
      const pg = preview(ctx, 'gamma:0.001');
      await panel.reply(Number(next[5].requestId), pg);
      await until('bars at γ 1e-3 again', async () => Math.abs((await panel.barFractions())[0].fraction - pg.layers[0].fraction) < 1e-12);
    },
  },
  {
    name: 'γ = 0: the control says the mask fills with zero-gradient weights and suggests the largest ratio with γ > 0',
    async run(ctx) {
      const { panel, fx } = ctx;
      const h = fx.scores.histogram;
      assert(h.zeros > 0, 'the recording has no zero scores');
      const nonzeroShare = (h.total - h.zeros) / h.total;
      const suggested = Math.floor(nonzeroShare * 1000) / 1000;
      const ratio = Math.min(1, Number((nonzeroShare + 0.03).toFixed(2)));
      assertEqual(await panel.page.locator('#gamma-zero').isVisible(), false, 'no warning while γ > 0');
      const before = (await panel.postedOfType('previewThreshold')).length;
      await panel.page.locator('#ratio-slider').fill(String(ratio));
      const reqs = await panel.nthPosted('previewThreshold', before + 1);
      const base = preview(ctx, 'gamma:0.001');
      const salient = Math.round(ratio * h.total);
      await panel.reply(Number(reqs[before].requestId), { ...base, ratio, gamma: 0, salientWeights: salient });
      const text = await until('the γ = 0 warning', async () =>
        (await panel.page.locator('#gamma-zero').isVisible()) ? panel.page.textContent('#gamma-zero') : undefined,
      );
      assert(text?.includes(h.zeros.toLocaleString('en-US')) && text.includes(h.total.toLocaleString('en-US')), `warning "${text}" lacks the zero count`);
      assert(text?.includes(`largest ratio with γ > 0 is ${suggested}`), `warning "${text}" lacks ${suggested}`);
      await panel.page.click('#gamma-zero button[data-action="useSuggestedRatio"]');
      const next = await panel.nthPosted('previewThreshold', before + 2);
      assertClose(Number(next[before + 1].value), suggested, 'the suggested ratio is previewed');
      await panel.reply(Number(next[before + 1].requestId), base);
      await until('the warning gone', async () => !(await panel.page.locator('#gamma-zero').isVisible()));
    },
  },
];
