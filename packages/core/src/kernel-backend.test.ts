import { describe, expect, it } from 'vitest';
import { detectFlavor, withBackend } from './internal/wasm/instance.js';
import { kernelBackend } from './kernel-backend.js';

describe('kernelBackend', () => {
  it('reports the best WASM build this runtime validates (relaxed-simd.test.ts checks the relaxed one)', () => {
    expect(kernelBackend()).toBe(detectFlavor());
    expect(['simd', 'relaxed-simd']).toContain(kernelBackend());
  });

  it("reports 'javascript' while the WASM kernels are disabled", () => {
    expect(withBackend('js', kernelBackend)).toBe('javascript');
  });
});
