// Vega-Lite spec → SVG (Vega's headless SVG renderer) → PNG (resvg). No DOM, no canvas: Vega measures
// text with its own estimates when node-canvas is absent, which is what we want for a CLI.
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FONT } from './figures.js';

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Rasterised at twice the SVG's size, on white: a transparent PNG reads badly in most viewers.
 * resvg is a native module the bundle cannot hold, so it loads only when a PNG is asked for.
 */
export async function svgToPng(svg: string): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js').catch((err: unknown) => {
    throw new Error(
      `cannot load @resvg/resvg-js to write a PNG (install the plugin with make install-plugin, or write .svg): ${err instanceof Error ? err.message : String(err)}`,
    );
  });
  return new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: FONT, sansSerifFamily: FONT },
  })
    .render()
    .asPng();
}
