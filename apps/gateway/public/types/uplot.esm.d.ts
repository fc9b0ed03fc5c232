// The page imports uPlot as `./uplot.esm.js`, the name the gateway serves the package's ESM build
// under (src/dashboard/dashboard-assets.ts). NOTE: that file is not on disk beside the modules;
// public/tsconfig.json's `rootDirs` lets this declaration stand in for it with uPlot's own types.
export { default } from 'uplot';
