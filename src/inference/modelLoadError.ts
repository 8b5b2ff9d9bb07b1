/**
 * A registry version that cannot be served: the ONNX file is unreadable, or
 * the manifest disagrees with the session (tensor names, feature count,
 * output shape) or with itself (a non-finite feature default). The message
 * names the version, the file and both sides of the mismatch. The gateway
 * keeps serving the previous version when a reload fails with it.
 */
export class ModelLoadError extends Error {
  override readonly name = 'ModelLoadError';
  constructor(
    /** The version that failed to load. */
    readonly version: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
