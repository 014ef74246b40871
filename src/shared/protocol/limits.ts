/** The panel's bounds live in src/common/limits.ts (the webview's controls and the core read them too). */
export * from '../../common/limits';
