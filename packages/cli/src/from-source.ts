/**
 * Whether this CLI runs from its TypeScript sources (tests, `npm run kos`: a TS loader is active)
 * rather than from the compiled dist/. One answer for the whole package: this module's extension.
 */
export const fromSource: boolean = import.meta.url.endsWith('.ts');
