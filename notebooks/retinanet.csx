// Loaded by the first cell of every notebook here: `#load "retinanet.csx"`.
// References the libraries published by `dotnet publish src/RetinaNet.Train -c Release -o artifacts/notebook`
// (run from the repository root). A publish folder, unlike a build folder, holds TorchSharp's and SkiaSharp's
// native libraries beside the assemblies, which is where they are looked for when the kernel loads them.
#r "../artifacts/notebook/TorchSharp.dll"
#r "../artifacts/notebook/SkiaSharp.dll"
#r "../artifacts/notebook/ScottPlot.dll"
#r "../artifacts/notebook/RetinaNet.Core.dll"
#r "../artifacts/notebook/RetinaNet.Layers.dll"
#r "../artifacts/notebook/RetinaNet.Onnx.dll"
#r "../artifacts/notebook/retinanet.dll"

// Show our types inline. (Using directives here do not carry over to the notebook; each notebook has its own.)
using Microsoft.DotNet.Interactive.Formatting;
using SkiaSharp;
using RetinaNet.Train.Notebooks;

Formatter.Register<SKBitmap>(NotebookDisplay.ToHtml, HtmlFormatter.MimeType);
Formatter.Register<List<RetinaNet.Inference.DetectedObject>>(d => NotebookDisplay.ToHtml(d), HtmlFormatter.MimeType);
Formatter.Register<RetinaNet.Train.Evaluation.EvaluationReport>(r => NotebookDisplay.ToHtml(r), HtmlFormatter.MimeType);
