// The one way the desktop windows (kiosk, station, settings) build their few elements: a tag, its class, its text.

/** `<tag class="cls">text</tag>`; an empty `cls` or `text` is left out. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls = '', text = ''): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  return e;
}
