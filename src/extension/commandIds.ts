// Every id this extension contributes, in one place; package.json's `contributes` must match.

export const COMMAND_IDS = {
  computeSaliency: 'salun.computeSaliency',
  runUnlearning: 'salun.runUnlearning',
  openPanel: 'salun.openPanel',
  cancelJob: 'salun.cancelJob',
  showLog: 'salun.showLog',
  refreshRuns: 'salun.refreshRuns',
  revealRun: 'salun.revealRun',
  newRun: 'salun.newRun',
  stopAndKeep: 'salun.stopAndKeep',
  evaluateModel: 'salun.evaluateModel',
  runUnlearningOnModel: 'salun.runUnlearningOnModel',
  computeSaliencyForModel: 'salun.computeSaliencyForModel',
  runTable: 'salun.runTable',
  runGrid: 'salun.runGrid',
  runAudit: 'salun.runAudit',
  runConfigFile: 'salun.runConfigFile',
  runGenerationDemo: 'salun.runGenerationDemo',
  openRunInPanel: 'salun.openRunInPanel',
  rerunRun: 'salun.rerunRun',
  deleteRun: 'salun.deleteRun',
  compareRuns: 'salun.compareRuns',
  exportRunReport: 'salun.exportRunReport',
  exportModel: 'salun.exportModel',
  exportAuditReport: 'salun.exportAuditReport',
  installNativeBackend: 'salun.installNativeBackend',
  openChartsInEditor: 'salun.openChartsInEditor',
} as const;

export const VIEW_CONTAINER_ID = 'salun';
export const PANEL_VIEW_ID = 'salun.panel';
export const RUNS_VIEW_ID = 'salun.runs';
/** The editor-area panel of Open Charts in Editor (its serializer revives it after a reload). */
export const CHARTS_PANEL_TYPE = 'salun.charts';
export const CONFIG_SECTION = 'salun';
/** Context key set while a job runs (menus and the palette use it). */
export const JOB_RUNNING_CONTEXT = 'salun.jobRunning';
