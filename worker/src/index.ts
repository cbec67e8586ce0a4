export * from './engine';
export * from './createEngine';
export * from './GradingWorker';
export * from './WebhookWorker';
export * from './startWorkers';
export * from './SandboxMonitor';
export * from './JobHealer';
