// The page-wide names the components share (for tsc --checkJs, jsconfig.json): each component's
// registry on window (its test hooks) and plotly.js, which chart.js loads as a classic script.
interface Window {
  __llplane: any;
  __llplot: any;
  __lldraw: any;
  __llcodes: any;
  Plotly: any;
}
