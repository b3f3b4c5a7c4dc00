"""The page's one stylesheet (inline, so the page needs nothing from elsewhere), with the theme colour.

Light and dark schemes (``prefers-color-scheme``), a print stylesheet, and long or hostile text that wraps
instead of widening the page (``overflow-wrap: anywhere``). Text colours are fixed, with a contrast of at
least 7:1 on their backgrounds; the theme colour only draws the rule, the dots and the tracks.
"""

from __future__ import annotations

__all__ = ["stylesheet"]

_CSS = """\
:root{color-scheme:light dark;--accent:ACCENT;--bg:#ffffff;--fg:#1a1d21;--muted:#4b5563;--card:#f6f8fa;\
--line:#c9d1d9;--link:#0a53be;--rail:#d8dee4;--focus:#0a53be}
@media (prefers-color-scheme:dark){:root{--bg:#0f1115;--fg:#e8eaed;--muted:#aab2bd;--card:#181b21;\
--line:#3a414b;--link:#93bbff;--rail:#363d47;--focus:#93bbff}}
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0 auto;max-width:52rem;padding:0 1rem 2rem;background:var(--bg);color:var(--fg);\
font:1rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;\
overflow-wrap:anywhere}
a{color:var(--link)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
[hidden]{display:none!important}
.skip{position:absolute;left:-999rem;top:0;padding:.5rem 1rem;background:var(--bg);color:var(--link)}
.skip:focus{left:1rem;z-index:1}
header.page{padding:1.5rem 0 .5rem}
h1{font-size:clamp(1.5rem,4vw + .75rem,2.25rem);line-height:1.2;margin:0 0 .5rem}
.intro,.legend{color:var(--muted);margin:.25rem 0}
.filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;margin:1rem 0;padding:.75rem;\
border:1px solid var(--line);border-radius:.5rem}
.filters label{display:flex;flex-direction:column;flex:1 1 11rem;min-width:0;font-weight:600}
.filters select,.filters button{font:inherit;width:100%;max-width:100%;padding:.35rem;color:var(--fg);\
background:var(--bg);border:1px solid var(--muted);border-radius:.3rem}
.filters button{width:auto;cursor:pointer}
.status{color:var(--muted);margin:.5rem 0}
.defs{position:absolute;width:0;height:0;overflow:hidden}
h2{font-size:1.6rem;margin:2rem 0 .5rem}
h3{font-size:1.15rem;margin:1.25rem 0 .5rem;color:var(--muted)}
ol.entries{list-style:none;margin:0 0 1rem;padding:0 0 0 1.25rem;border-left:3px solid var(--accent)}
.entry,.retracted-entry{position:relative;margin:0 0 1rem;padding:.75rem .9rem;background:var(--card);\
border:1px solid var(--line);border-radius:.5rem;min-width:0}
.entry::before{content:"";position:absolute;left:calc(-1.25rem - 11.5px);top:1.05rem;width:14px;height:14px;\
border-radius:50%;background:var(--bg);border:3px solid var(--accent)}
.title{font-size:1.08rem;line-height:1.35;margin:0 0 .25rem;white-space:pre-line}
.when{display:flex;flex-wrap:wrap;gap:.25rem .5rem;align-items:baseline;margin:0;color:var(--muted)}
.date{font-weight:600;color:var(--fg);min-width:0}
.mark,.kind{font-size:.8rem;border:1px solid var(--muted);border-radius:1rem;padding:0 .45rem}
.mark{border-style:dashed}
.kind{text-transform:capitalize}
.track{display:block;width:100%;height:16px;margin:.35rem 0;overflow:visible}
.rail{fill:var(--rail)}
.bar{fill:var(--accent)}
.bar.fade-start{fill:url(#fade-start)}
.bar.fade-end{fill:url(#fade-end)}
.bar.approx{fill-opacity:.45;stroke:var(--accent);stroke-dasharray:4 3}
.point{fill:var(--accent)}
.point.approx{fill:var(--bg);stroke:var(--accent);stroke-width:2}
.solid{stop-color:var(--accent);stop-opacity:1}
.clear{stop-color:var(--accent);stop-opacity:0}
.description,.facts dd,.quote{white-space:pre-line}
.description{margin:.5rem 0}
.facts{display:grid;grid-template-columns:minmax(0,max-content) minmax(0,1fr);gap:.15rem .75rem;\
margin:.5rem 0}
.facts div{display:contents}
.facts dt{color:var(--muted);font-weight:600}
.facts dd{margin:0;min-width:0}
.approx{font-style:italic}
.place{margin:.35rem 0}
.label{color:var(--muted);font-weight:600;font-size:.9rem}
.tags ul{display:inline;list-style:none;margin:0;padding:0}
.tags li{display:inline-block;margin:0 .25rem .25rem 0;padding:0 .5rem;border:1px solid var(--line);\
border-radius:1rem;font-size:.85rem;max-width:100%}
.sources{margin:.5rem 0 0;font-size:.92rem}
.sources ul{margin:.15rem 0 0;padding-left:1.1rem}
.sources code{font-size:.85em}
.quote{margin:.25rem 0 .25rem .5rem;padding-left:.5rem;border-left:3px solid var(--line)}
.history{list-style:none;margin:.5rem 0 0;padding:.35rem .6rem;border-left:3px solid var(--muted);\
font-size:.92rem}
section.retracted ol{list-style:none;margin:0;padding:0}
footer{margin-top:2rem;padding-top:1rem;border-top:1px solid var(--line);color:var(--muted);font-size:.9rem}
@media (max-width:30rem){body{padding:0 .75rem 1.5rem}ol.entries{padding-left:1rem}\
.entry::before{left:calc(-1rem - 11.5px)}.facts{grid-template-columns:minmax(0,1fr)}\
.facts dd{margin-bottom:.25rem}}
@media print{:root{--bg:#fff;--fg:#000;--muted:#333;--card:#fff;--line:#888;--link:#000;--rail:#ccc}\
body{max-width:none;font-size:10.5pt}.skip,.filters,.status{display:none!important}\
.entry,.retracted-entry{break-inside:avoid}h2,h3{break-after:avoid}\
.sources a[href]::after{content:" <" attr(href) ">";font-size:.85em}}
"""


def stylesheet(accent: str) -> str:
    """The stylesheet with `accent` (an already checked ``#rrggbb`` colour) as the theme colour."""
    return _CSS.replace("ACCENT", accent, 1)
