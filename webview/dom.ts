/** Small DOM builders shared by every view. They touch `document` only when called, never at import. */

export type Attrs = Record<string, string>;
export type SelectOptions = readonly (readonly [value: string, label: string])[];

/** An element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

/** A `<vscode-button>` (vscode-elements) that runs `onClick`. */
export function button(label: string, onClick: () => void, attrs: Attrs = {}): HTMLElement {
  const b = document.createElement('vscode-button');
  for (const [k, v] of Object.entries(attrs)) b.setAttribute(k, v);
  b.append(label);
  b.addEventListener('click', onClick);
  return b;
}

/** A `<select>` of `[value, label]` options. */
export function select(options: SelectOptions, value: string, onChange: (v: string) => void, id: string): HTMLSelectElement {
  const s = h('select', { id });
  for (const [v, label] of options) s.append(h('option', { value: v }, label));
  s.value = value;
  s.addEventListener('change', () => { onChange(s.value); });
  return s;
}

/** A number field whose raw text goes to `onChange` when committed. */
export function numberInput(id: string, value: number, attrs: Attrs, onChange: (v: string) => void): HTMLInputElement {
  const el = h('input', { type: 'number', id, value: String(value), ...attrs });
  el.addEventListener('change', () => { onChange(el.value); });
  return el;
}

/** A colour swatch and its label, for legends. */
export function swatch(color: string, label: string): HTMLElement {
  const s = h('span', { class: 'swatch' });
  s.style.background = color;
  return h('span', { class: 'legend-item' }, s, label);
}
