// Reading a QR code with the laptop's camera: a frame every ~400 ms goes to `decode` (Rust's decoder, the same as
// for an uploaded image) until one holds a code or the scan is stopped.

/** True when a list of media devices has a camera. */
export function hasCamera(devices: ReadonlyArray<Pick<MediaDeviceInfo, 'kind'>>): boolean {
  return devices.some((d) => d.kind === 'videoinput');
}

/** Whether this machine has a camera to offer; false when the webview cannot tell. */
export async function cameraAvailable(): Promise<boolean> {
  const media = navigator.mediaDevices as MediaDevices | undefined;
  if (typeof media?.enumerateDevices !== 'function') return false;
  try {
    return hasCamera(await media.enumerateDevices());
  } catch {
    return false;
  }
}

/**
 * The size to grab a `width`×`height` frame at: at most `max` pixels on the long side. A QR code held up to the
 * camera needs no more, and the bytes cross to Rust as a JSON array.
 */
export function frameSize(width: number, height: number, max = 800): { width: number; height: number } {
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

/** The video's current frame as PNG bytes, or null while the camera has no picture yet. */
async function frameBytes(video: HTMLVideoElement, canvas: HTMLCanvasElement): Promise<number[] | null> {
  if (video.videoWidth === 0 || video.videoHeight === 0) return null;
  const size = frameSize(video.videoWidth, video.videoHeight);
  canvas.width = size.width;
  canvas.height = size.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  ctx.drawImage(video, 0, 0, size.width, size.height);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  return blob ? Array.from(new Uint8Array(await blob.arrayBuffer())) : null;
}

/** One scan: shows the camera in `video` and hands frames to `decode` (null: no code in that frame). */
export class QrScanner<T> {
  private stream: MediaStream | null = null;
  private stopped = false;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly decode: (png: number[]) => Promise<T | null>,
    private readonly everyMs = 400,
  ) {}

  /** Resolves with the first decoded code, or null when stopped first; rejects when the camera cannot start. */
  async scan(): Promise<T | null> {
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ video: true });
      if (this.stopped) return null;
      this.video.srcObject = this.stream;
      await this.video.play();
      const canvas = document.createElement('canvas');
      while (!this.stopped) {
        await new Promise((resolve) => setTimeout(resolve, this.everyMs));
        const png = this.stopped ? null : await frameBytes(this.video, canvas);
        const got = png === null ? null : await this.decode(png);
        if (got !== null && !this.stopped) return got;
      }
      return null;
    } catch (e) {
      // Stopped while the camera was starting: not a failure.
      if (this.stopped) return null;
      throw e;
    } finally {
      this.stop();
    }
  }

  /** Stops scanning and turns the camera off. */
  stop(): void {
    this.stopped = true;
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = null;
    this.video.srcObject = null;
  }
}
