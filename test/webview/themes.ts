// The four VS Code themes the panel is checked in: the <body> class VS Code sets and the --vscode-*
// variables it defines (light and dark: the default themes; high contrast: VS Code's color registry's
// hcDark / hcLight values).

export interface Theme {
  /** The class VS Code puts on a webview's <body>. */
  class: string;
  vars: Record<string, string>;
}

export type ThemeName = 'light' | 'dark' | 'hcDark' | 'hcLight';

export const THEMES: Record<ThemeName, Theme> = {
  light: {
    class: 'vscode-light',
    vars: {
      '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': '"Droid Sans Mono", monospace',
      '--vscode-foreground': '#616161', '--vscode-descriptionForeground': '#717171', '--vscode-disabledForeground': '#a5a5a5', '--vscode-errorForeground': '#a1260d',
      '--vscode-sideBar-background': '#f3f3f3', '--vscode-editor-background': '#ffffff', '--vscode-sideBarSectionHeader-foreground': '#616161',
      '--vscode-focusBorder': '#0090f1', '--vscode-widget-border': '#d4d4d4', '--vscode-editorWidget-background': '#f3f3f3',
      '--vscode-input-background': '#ffffff', '--vscode-input-foreground': '#616161', '--vscode-input-border': '#cecece',
      '--vscode-button-background': '#007acc', '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#0062a3',
      '--vscode-button-secondaryBackground': '#5f6a79', '--vscode-button-secondaryForeground': '#ffffff',
      '--vscode-list-hoverBackground': '#e8e8e8', '--vscode-list-inactiveSelectionBackground': '#e4e6f1', '--vscode-textLink-foreground': '#006ab1',
      '--vscode-progressBar-background': '#0e70c0', '--vscode-charts-red': '#e51400', '--vscode-charts-green': '#388a34', '--vscode-charts-blue': '#1a85ff',
      '--vscode-charts-yellow': '#bf8803', '--vscode-charts-purple': '#652d90', '--vscode-editorWarning-foreground': '#bf8803',
    },
  },
  dark: {
    class: 'vscode-dark',
    vars: {
      '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': '"Droid Sans Mono", monospace',
      '--vscode-foreground': '#cccccc', '--vscode-descriptionForeground': '#9d9d9d', '--vscode-disabledForeground': '#6b6b6b', '--vscode-errorForeground': '#f48771',
      '--vscode-sideBar-background': '#252526', '--vscode-editor-background': '#1e1e1e', '--vscode-sideBarSectionHeader-foreground': '#cccccc',
      '--vscode-focusBorder': '#007fd4', '--vscode-widget-border': '#303031', '--vscode-editorWidget-background': '#252526',
      '--vscode-input-background': '#3c3c3c', '--vscode-input-foreground': '#cccccc', '--vscode-input-border': '#3c3c3c',
      '--vscode-button-background': '#0e639c', '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#1177bb',
      '--vscode-button-secondaryBackground': '#3a3d41', '--vscode-button-secondaryForeground': '#ffffff',
      '--vscode-list-hoverBackground': '#2a2d2e', '--vscode-list-inactiveSelectionBackground': '#37373d', '--vscode-textLink-foreground': '#3794ff',
      '--vscode-progressBar-background': '#0e70c0', '--vscode-charts-red': '#f14c4c', '--vscode-charts-green': '#89d185', '--vscode-charts-blue': '#3794ff',
      '--vscode-charts-yellow': '#cca700', '--vscode-charts-purple': '#b180d7', '--vscode-editorWarning-foreground': '#cca700',
    },
  },
  // VS Code's high-contrast defaults (its color registry's hcDark / hcLight values). HC light also
  // carries the vscode-high-contrast class, as VS Code sets both on a webview's <body>.
  hcDark: {
    class: 'vscode-high-contrast',
    vars: {
      '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': '"Droid Sans Mono", monospace',
      '--vscode-foreground': '#ffffff', '--vscode-descriptionForeground': '#ffffffb3', '--vscode-disabledForeground': '#a5a5a5', '--vscode-errorForeground': '#f48771',
      '--vscode-sideBar-background': '#000000', '--vscode-editor-background': '#000000', '--vscode-sideBarSectionHeader-foreground': '#ffffff',
      '--vscode-focusBorder': '#f38518', '--vscode-contrastBorder': '#6fc3df', '--vscode-contrastActiveBorder': '#f38518',
      '--vscode-widget-border': '#6fc3df', '--vscode-editorWidget-background': '#0c141f',
      '--vscode-input-background': '#000000', '--vscode-input-foreground': '#ffffff', '--vscode-input-border': '#6fc3df',
      '--vscode-button-background': '#000000', '--vscode-button-foreground': '#ffffff', '--vscode-button-border': '#6fc3df',
      '--vscode-button-secondaryForeground': '#ffffff',
      '--vscode-list-hoverBackground': '#ffffff1a', '--vscode-textLink-foreground': '#21a6ff',
      '--vscode-progressBar-background': '#6fc3df', '--vscode-charts-red': '#f48771', '--vscode-charts-green': '#89d185', '--vscode-charts-blue': '#59a4f9',
      '--vscode-charts-yellow': '#ffd370', '--vscode-charts-purple': '#b180d7', '--vscode-editorWarning-foreground': '#ffd370',
    },
  },
  hcLight: {
    class: 'vscode-high-contrast vscode-high-contrast-light',
    vars: {
      '--vscode-font-family': 'system-ui, "Ubuntu", "Droid Sans", sans-serif', '--vscode-font-size': '13px', '--vscode-editor-font-family': '"Droid Sans Mono", monospace',
      '--vscode-foreground': '#292929', '--vscode-descriptionForeground': '#292929b3', '--vscode-disabledForeground': '#7f7f7f', '--vscode-errorForeground': '#b5200d',
      '--vscode-sideBar-background': '#ffffff', '--vscode-editor-background': '#ffffff', '--vscode-sideBarSectionHeader-foreground': '#292929',
      '--vscode-focusBorder': '#006bbd', '--vscode-contrastBorder': '#0f4a85', '--vscode-contrastActiveBorder': '#006bbd',
      '--vscode-widget-border': '#0f4a85', '--vscode-editorWidget-background': '#ffffff',
      '--vscode-input-background': '#ffffff', '--vscode-input-foreground': '#292929', '--vscode-input-border': '#0f4a85',
      '--vscode-button-background': '#0f4a85', '--vscode-button-foreground': '#ffffff', '--vscode-button-border': '#0f4a85',
      '--vscode-button-secondaryBackground': '#ffffff', '--vscode-button-secondaryForeground': '#292929',
      '--vscode-list-hoverBackground': '#0f4a851a', '--vscode-textLink-foreground': '#0f4a85',
      '--vscode-progressBar-background': '#0f4a85', '--vscode-charts-red': '#b5200d', '--vscode-charts-green': '#374e06', '--vscode-charts-blue': '#0063d3',
      '--vscode-charts-yellow': '#895503', '--vscode-charts-purple': '#652d90', '--vscode-editorWarning-foreground': '#895503',
    },
  },
};
