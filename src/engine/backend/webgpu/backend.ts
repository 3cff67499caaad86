// WebGPU through Dawn's Node binding (npm `webgpu`: a prebuilt dawn.node per platform) and
// tfjs-backend-webgpu. Dawn speaks Vulkan, Metal or Direct3D 12, so one backend covers GPUs of
// every vendor. We register the tfjs backend ourselves instead of letting the package do it on
// import: its own factory runs only if `navigator.gpu` exists when the module is first evaluated
// (never, in Node), and it takes whatever adapter comes first, while `auto` must refuse software
// adapters (SwiftShader, llvmpipe: a CPU pretending to be a GPU, slower than our wasm path).
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GpuAdapterInfo } from '../../../protocol/backends';
import { tf } from '../../tf';
import { firstLine, type BackendAttempt, type BackendImpl } from '../attempt';
import { recordDeviceFailure, registerDeviceBackend } from '../deviceHealth';
import { missingVulkanReason } from './vulkanDrivers';

interface Dawn {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

/** The platform folder name the `webgpu` package and our platform-specific .vsix use. */
export function dawnPlatform(platform: string = process.platform, arch: string = process.arch): string {
  return platform === 'darwin' ? 'darwin-universal' : `${platform}-${arch}`;
}

/** dawn.node beside the bundle (the installed .vsix: dist/dawn/<platform>/) or in node_modules. */
export function dawnBinaryPath(): string | undefined {
  const beside = join(typeof __dirname === 'string' ? __dirname : process.cwd(), 'dawn', dawnPlatform(), 'dawn.node');
  if (existsSync(beside)) return beside;
  try {
    const inPackage = join(dirname(require.resolve('webgpu/package.json')), 'dist', dawnPlatform(), 'dawn.node');
    return existsSync(inPackage) ? inPackage : undefined;
  } catch {
    return undefined;
  }
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/i;

export function describeAdapter(info: GPUAdapterInfo & { isFallbackAdapter?: boolean }): GpuAdapterInfo {
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    software: info.isFallbackAdapter === true || SOFTWARE.test(text),
  };
}

export function adapterLabel(a: GpuAdapterInfo): string {
  const name = a.description || a.device || a.architecture || 'unknown adapter';
  return `${name} (${[a.vendor, a.architecture].filter(Boolean).join(', ')}${a.software ? '; software' : ''})`;
}

function gpuEntry(): GPU {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  const path = dawnBinaryPath();
  if (!path) throw new Error(`no dawn.node for ${dawnPlatform()} (this package was built for another platform)`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a native addon at a path known only at run time
  const dawn = require(path) as Dawn;
  // tfjs-backend-webgpu reads the WebGPU constants (GPUBufferUsage, GPUMapMode…) as globals.
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  return gpu;
}

function watchDevice(device: GPUDevice): void {
  device.addEventListener('uncapturederror', (ev) => {
    const error = (ev as GPUUncapturedErrorEvent).error;
    recordDeviceFailure(device, `${error.constructor.name}: ${error.message}`);
  });
  void device.lost.then((info) => {
    if (info.reason !== 'destroyed') recordDeviceFailure(device, `device lost: ${info.message}`);
  });
}

async function openDevice(adapter: GPUAdapter): Promise<GPUDevice> {
  // The adapter's own limits, not WebGPU's defaults (256 MiB buffers), as tfjs's factory does:
  // a training batch of a real CNN needs more than the defaults.
  const l = adapter.limits;
  return adapter.requestDevice({
    requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    requiredLimits: {
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  });
}

/** Each started tfjs webgpu backend's adapter (one device per process, reused by later jobs). */
const adapters = new WeakMap<object, GpuAdapterInfo>();

async function start(auto: boolean): Promise<BackendAttempt> {
  const existing = tf.findBackend('webgpu');
  const running = existing ? adapters.get(existing) : undefined;
  if (running) {
    if (auto && running.software) return { ok: false, why: `webgpu: only a software adapter, ${adapterLabel(running)}; auto takes hardware adapters only` };
    await tf.setBackend('webgpu');
    return { ok: true, why: `webgpu on ${adapterLabel(running)}`, detail: adapterLabel(running), adapter: running };
  }
  // Without a Vulkan driver Dawn would print its own warning on stderr on every run: say it here instead.
  const noVulkan = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu ? undefined : missingVulkanReason();
  if (noVulkan) return { ok: false, why: `webgpu: ${noVulkan}` };
  const gpu = gpuEntry();
  // `info` is in the current WebGPU spec and in Dawn, not yet in TypeScript's DOM types.
  const adapter = (await gpu.requestAdapter({ powerPreference: 'high-performance' })) as (GPUAdapter & { info: GPUAdapterInfo }) | null;
  if (!adapter) return { ok: false, why: 'webgpu: Dawn found no GPU adapter (no Vulkan, Metal or Direct3D 12 driver)' };
  const info = describeAdapter(adapter.info);
  if (auto && info.software) return { ok: false, why: `webgpu: only a software adapter, ${adapterLabel(info)}; auto takes hardware adapters only` };
  const device = await openDevice(adapter);
  watchDevice(device);
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapter.info), 3);
  registerDeviceBackend('webgpu');
  if (!(await tf.setBackend('webgpu'))) return { ok: false, why: `webgpu: the tfjs backend did not start on ${adapterLabel(info)}` };
  await tf.ready();
  adapters.set(tf.backend(), info);
  return { ok: true, why: `webgpu on ${adapterLabel(info)}`, detail: adapterLabel(info), adapter: info };
}

export const webgpuBackend: BackendImpl = {
  async start({ auto }) {
    try {
      return await start(auto);
    } catch (e) {
      return { ok: false, why: `webgpu unavailable (${firstLine(e)})` };
    }
  },
  hint: () =>
    'WebGPU needs a GPU driver with Vulkan (Linux, Windows), Metal (macOS) or Direct3D 12 (Windows), and the platform-specific package of this extension. Check the GPU driver, or set the backend to auto.',
};
