/**
 * The panel's stylesheet, adopted into the shadow root (no inline styles: a strict CSP allows it). In a
 * short window (200 % zoom of a laptop's) the panel scrolls as a whole under its title bar (which stays),
 * and the log keeps 6em: before, it cut off what did not fit, the title bar shrank to a sliver and
 * "Start chat" fell below its edge. The focus ring is near-black on the panel's white and amber on the
 * title bar's blue: at least 3:1 on each (the amber alone was 1.6:1 on white). On a phone (30em or
 * less: 480 CSS px at the usual 16 px default; a 375 px one at 200 % zoom is 187) the open panel takes
 * the whole window and the launcher goes until it closes (the panel has its own close): before, it was
 * a 147 px box in the corner that scrolled sideways (a field's least width is 188 px); what takes the
 * focus there scrolls clear of its taller title bar (the × 2.2em square), and the fields' text is at
 * least 16 px (iOS zooms the page into a field under 16 px as it takes the focus). Sizes are in em
 * of the visitor's own default font size (the host's `all:initial` gives `medium`): 14 px text at the
 * usual 16 px, 21 px at 24 px; px sizes before kept it at 14 px whatever the browser was set to. The
 * panel, its title bar, the bubbles and the buttons have a transparent border: under forced colours
 * (backgrounds and shadows gone) it is drawn, so the panel has an edge and a bubble a box. Under
 * `prefers-color-scheme: dark` the panel is dark grey with light text (every text at least 4.5:1 on its
 * background, checked in `test/browser/webchat-host-page.test.ts`); the blue title bar, the visitor's
 * bubbles and Send keep their blue (white on it 6.1:1). The site sets no colours of the widget (there is
 * no such setting), so the visitor's preference alone decides.
 */
export const PANEL_CSS = `.panel{position:fixed;right:20px;bottom:calc(32px + 4em);z-index:2147483647;width:min(25.7em,calc(100vw - 40px));height:min(37.1em,calc(100vh - 64px - 4em));display:flex;flex-direction:column;background:#fff;color:#1b1b1b;box-sizing:border-box;border:1px solid transparent;border-radius:12px;box-shadow:0 4px 24px rgba(0,0,0,.25);font:.875em/1.4 system-ui,sans-serif;overflow:hidden auto;scroll-padding-top:4em}
.head{background:#1f5fbf;color:#fff;border-bottom:1px solid transparent;padding:12px 16px;display:flex;justify-content:space-between;align-items:center;position:sticky;top:0;z-index:1}
.head h2{font-size:1.143em;margin:0}
.close{background:none;border:0;color:#fff;font-size:1.429em;cursor:pointer}
.end{margin-left:auto;margin-right:8px;background:none;border:1px solid #fff;border-radius:6px;color:#fff;font:inherit;font-size:.857em;padding:2px 8px;cursor:pointer}
[aria-disabled=true]{cursor:not-allowed;border-style:dashed}
.ask{display:flex;flex-wrap:wrap;gap:6px;align-items:center}.ask p{margin:0;flex-basis:100%}
.log{flex:1;overflow-y:auto;overflow-anchor:none;padding:12px;margin:0;list-style:none}
.msg{max-width:80%;margin:6px 0;padding:8px 10px;border:1px solid transparent;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}
.visitor{margin-left:auto;background:#1f5fbf;color:#fff}
.agent,.ai{background:#eef1f5}
.meta{display:block;font-size:.786em;opacity:.75;margin-top:2px}
.visitor .meta{opacity:.9}
.divider{text-align:center;font-size:.857em;color:#555;margin:12px 0 4px}
.note{padding:8px 12px;margin:0;background:#fff8e1;font-size:.929em}
.typing{padding:0 12px 6px;font-size:.857em;color:#555;min-height:1.5em}
.kept{margin:0;padding:2px 12px;font-size:.857em;color:#555}
.count{order:-1;flex-basis:100%;margin:0;font-size:.857em;color:#555;text-align:right}
form{flex-wrap:wrap}
form>textarea{min-width:0}
p.error.count{color:#b00020}
form{display:flex;gap:6px;padding:8px;border-top:1px solid #ddd}
form:not(.pre){position:sticky;bottom:0;z-index:1;background:#fff}
form.pre{flex-direction:column;border:0}
form.pre label{display:flex;flex-direction:column;gap:2px;font-size:.929em}
textarea,input{flex:1;font:inherit;padding:8px;border:1px solid #888;border-radius:6px;resize:none}
button.send{background:#1f5fbf;color:#fff;border:1px solid transparent;border-radius:6px;padding:8px 12px;font:inherit;cursor:pointer}
:focus-visible{outline:3px solid #1b1b1b;outline-offset:1px}
.head :focus-visible{outline-color:#ffbf47}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.panel[hidden]{display:none}
.panel:focus{outline:none}
.panel>*{flex-shrink:0}
.body{flex:1;position:relative;display:flex;flex-direction:column;min-height:6em}
.state{margin:0;padding:4px 12px;background:#5c2d00;color:#fff;font-size:.857em}
.state:empty{padding:0}
.error{color:#b00020;font-size:.857em;margin:0}
.failed{background:#fdecea;color:#1b1b1b;border:1px solid #b00020}
.retry{background:none;border:0;padding:0;color:#b00020;text-decoration:underline;font:inherit;cursor:pointer}
.hint{position:absolute;left:50%;bottom:8px;transform:translateX(-50%);background:#1b1b1b;color:#fff;border:1px solid transparent;border-radius:14px;padding:6px 12px;font:inherit;font-size:.857em;cursor:pointer}
.strong{font-weight:600}
.msg .text{display:block}
.files{margin:4px 0 0;padding:0;list-style:none}
.msg a{color:inherit;text-decoration:underline}
input{min-width:0;width:100%;box-sizing:border-box}
@media (prefers-contrast:more){.meta,.visitor .meta{opacity:1}.divider,.typing,.kept,.count{color:#1b1b1b}}
@media (prefers-color-scheme:dark){.panel{background:#1c1d21;color:#ececec;color-scheme:dark}.agent,.ai{background:#2e3138}.divider,.typing,.kept,.count{color:#b4b4b4}.note{background:#3b3216;color:#f3e7c0}.error,p.error.count,.retry{color:#ff9a9a}.failed{background:#3d1c1f;color:#ececec;border-color:#ff9a9a}form{border-top-color:#44474e}textarea,input{background:#26282d;color:#ececec;border-color:#8d8d8d}:focus-visible{outline-color:#ececec}.hint{background:#ececec;color:#1b1b1b}}
@media (prefers-color-scheme:dark) and (prefers-contrast:more){.divider,.typing,.kept,.count{color:#fff}}
@media (max-width:30em){.panel{top:0;right:0;bottom:0;left:0;width:auto;height:auto;border-radius:0;scroll-padding-top:calc(32px + 3.2em)}.launcher[aria-expanded=true]{display:none}.close{min-width:2.2em;min-height:2.2em}textarea,input{font-size:max(16px,1.143em)}}`;
