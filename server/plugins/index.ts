export {
  loadIsolatedVm,
  loadIsolatedVmWithSource,
  runInIsolate,
  ISOLATED_VM_NODE_FLAGS,
  IsolatedVmLoadError,
  type IsolatedVm,
  type LoadedIsolatedVm,
  type RunInIsolateOptions,
} from './isolated-vm-loader.ts';
