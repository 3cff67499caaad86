import { strict as assert } from 'node:assert';
import { createNonce, panelHtml } from '../../src/extension/panel/panelHtml';

describe('panel HTML', () => {
  const uri = (s: string): { toString(): string } => ({ toString: () => s });
  const html = panelHtml(
    {
      scriptUri: uri('https://file+.vscode-resource/ext/dist/webview.js'),
      styleUri: uri('https://file+.vscode-resource/ext/media/panel.css'),
      cspSource: 'https://file+.vscode-resource',
    } as never,
    'N0nce',
  );

  it('has a strict CSP: nothing by default, scripts only with the nonce, no inline or eval, no remote origin', () => {
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-N0nce'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*|https?:\/\/(?!file\+\.vscode-resource)/);
  });

  it('loads its one script with the nonce and nothing else', () => {
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0], /nonce="N0nce"/);
    assert.doesNotMatch(html, /on(click|load)=/);
  });

  it('makes a different, unguessable nonce every time', () => {
    const a = createNonce();
    assert.notEqual(a, createNonce());
    assert.ok(a.length >= 20);
  });
});
