// DOM helpers. Feed text is untrusted: it only ever becomes text nodes or attribute
// values, never markup, so nothing here parses HTML.

/** Creates `<tag>` with attributes (`on*` become listeners) and children (strings become text). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** An image of a feed URL that removes itself when it cannot load (no broken icons). */
export function picture(src, cls) {
  const img = h('img', { src, alt: '', class: cls, loading: 'lazy', referrerpolicy: 'no-referrer' });
  img.addEventListener('error', () => img.remove(), { once: true });
  return img;
}

/** Replaces every child of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** `HH:MM` in the browser's zone. */
export function clock(date) {
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
}

/** A weekday and date, e.g. `Tue 29 Nov`. */
export function day(date) {
  return date.toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short' });
}

/** Date and time for lists. */
export function when(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const d = new Date(seconds * 1000);
  return `${day(d)} ${clock(d)}`;
}

/** Bytes for people: `1.2 MB`. */
export function bytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** A labelled form field; `error` is an element the form fills on a problem. */
export function field(label, name, input, hint) {
  const id = `f-${name}-${Math.random().toString(36).slice(2, 8)}`;
  input.id = id;
  input.name = name;
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  input.setAttribute('aria-describedby', error.id);
  return h('div', { class: 'field', 'data-field': name },
    h('label', { for: id }, label), input, hint ? h('p', { class: 'hint' }, hint) : null, error);
}
