namespace RetinaNet.Train.Demo;

/// <summary>Settings of <c>retinanet demo</c>; the defaults are what the README's command runs.</summary>
public sealed record DemoOptions
{
    /// <summary>Folder for the dataset, model, drawings and summary.</summary>
    public string output { get; init; } = "demo-output";
    /// <summary>Total time budget in minutes, everything included.</summary>
    public double minutes { get; init; } = 10;
    /// <summary>Training images generated.</summary>
    public int train_images { get; init; } = 1000;
    /// <summary>Validation images generated.</summary>
    public int val_images { get; init; } = 100;
    /// <summary>Image side in pixels.</summary>
    public int image_size { get; init; } = 256;
    /// <summary>Images per batch.</summary>
    public int batch_size { get; init; } = 8;
    /// <summary>Backbone (a light ResNet by default).</summary>
    public string backbone { get; init; } = "resnet18_16";
    /// <summary>Head normalisation, box loss and P6 input (<c>--head-norm</c>, <c>--box-loss</c>, <c>--p6-from</c>).</summary>
    public Training.TrainingRecipe recipe { get; init; } = Training.TrainingRecipe.Default;
    /// <summary>Channels of the FPN and heads.</summary>
    public int feature_size { get; init; } = 64;
    /// <summary>Initial Adam learning rate (decayed along a cosine over the budget).</summary>
    public double lr { get; init; } = 1e-3;
    /// <summary>Seed for data and initialisation.</summary>
    public int seed { get; init; } = 0;
    /// <summary>Minimum seconds between two points of the mAP-vs-time curve.</summary>
    public double curve_interval_seconds { get; init; } = 60;
    /// <summary>Background workers preparing batches.</summary>
    public int workers { get; init; } = 1;
    /// <summary>Validation images drawn with their detections.</summary>
    public int drawn_images { get; init; } = 6;
}
