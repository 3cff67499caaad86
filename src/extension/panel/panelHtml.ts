// The side panel's HTML shell: a strict CSP, the stylesheet and the bundled script, nothing remote.
import { randomBytes } from 'node:crypto';
import type * as vscode from 'vscode';

/** A fresh CSP nonce per render, from the OS's CSPRNG (Math.random is predictable). */
export function createNonce(): string {
  return randomBytes(18).toString('base64url');
}

export interface PanelAssets {
  scriptUri: vscode.Uri;
  styleUri: vscode.Uri;
  cspSource: string;
  /** The editor-area panel (Open Charts in Editor) lays the same view out for a wide tab. */
  placement?: 'sidebar' | 'editor';
}

export function panelHtml(assets: PanelAssets, nonce: string): string {
  const { scriptUri, styleUri, cspSource } = assets;
  const placement = assets.placement ?? 'sidebar';
  // vscode-elements styles its shadow roots with constructable stylesheets, which style-src does
  // not govern; the nonce is there for Lit's <style> fallback. No 'unsafe-inline', no remote origin.
  const csp = [
    `default-src 'none'`,
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link href="${styleUri.toString()}" rel="stylesheet">
  <title>SalUn</title>
</head>
<body data-placement="${placement}">
  <main id="app"></main>
  <script nonce="${nonce}" src="${scriptUri.toString()}"></script>
</body>
</html>`;
}
