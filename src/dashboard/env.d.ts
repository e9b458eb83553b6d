// Vite's `?inline` CSS imports: the stylesheet as a string (uPlot's CSS goes into shadow roots).
declare module '*.css?inline' {
  const css: string;
  export default css;
}
