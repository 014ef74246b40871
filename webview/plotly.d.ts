// plotly.js-dist-min ships no types: it is the full plotly.js bundle, typed by @types/plotly.js.
declare module 'plotly.js-dist-min' {
  export * from 'plotly.js';
}
