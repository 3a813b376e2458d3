namespace RetinaNet.Train.Training;

/// <summary>keras-retinanet's <c>train.py</c> arguments, with its defaults, plus device, seed and a time budget.</summary>
public sealed record TrainingOptions
{
    /// <summary>Backbone name (resnet50, mobilenet224_1.0, resnet18_16, …).</summary>
    public string backbone { get; init; } = "resnet50";
    /// <summary>Dataset kind for snapshot names: csv, pascal or coco.</summary>
    public string dataset_type { get; init; } = "csv";
    /// <summary>Images per batch.</summary>
    public int batch_size { get; init; } = 1;
    /// <summary>Epoch to start from (to resume).</summary>
    public int initial_epoch { get; init; }
    /// <summary>Index one past the last epoch.</summary>
    public int epochs { get; init; } = 50;
    /// <summary>Steps per epoch.</summary>
    public int steps { get; init; } = 10000;
    /// <summary>Adam learning rate.</summary>
    public double lr { get; init; } = 1e-5;
    /// <summary>Adam clipnorm.</summary>
    public double optimizer_clipnorm { get; init; } = 0.001;
    /// <summary>Folder for snapshots.</summary>
    public string snapshot_path { get; init; } = "./snapshots";
    /// <summary>Resume from this training snapshot (weights and optimizer state).</summary>
    public string? snapshot { get; init; }
    /// <summary>Initial weights, loaded by name, skipping mismatches.</summary>
    public string? weights { get; init; }
    /// <summary>Download and load keras-retinanet's ImageNet ResNet weights.</summary>
    public bool imagenet_weights { get; init; }
    /// <summary>Freeze the backbone's layers.</summary>
    public bool freeze_backbone { get; init; }
    /// <summary>Random rotation/translation/shear/scaling/flips and visual effects (else: horizontal flips only).</summary>
    public bool random_transform { get; init; }
    /// <summary>How images are resized (--image-min-side, --image-max-side, --no-resize).</summary>
    public Utils.ImageSizing image_sizing { get; init; } = Utils.ImageSizing.Default;
    /// <summary>Anchor configuration file (INI).</summary>
    public string? config { get; init; }
    /// <summary>Do not save snapshots.</summary>
    public bool no_snapshots { get; init; }
    /// <summary>Do not compute mAP after each epoch.</summary>
    public bool no_evaluation { get; init; }
    /// <summary>mAP weighted by instance counts.</summary>
    public bool weighted_average { get; init; }
    /// <summary>Compute validation losses each epoch.</summary>
    public bool compute_val_loss { get; init; }
    /// <summary>TensorBoard log folder ("" for none).</summary>
    public string tensorboard_dir { get; init; } = "";

    /// <summary>How often TensorBoard gets the losses: <c>epoch</c>, <c>batch</c> or every N batches.</summary>
    public string tensorboard_freq { get; init; } = "epoch";
    /// <summary>ReduceLROnPlateau patience.</summary>
    public int reduce_lr_patience { get; init; } = 2;
    /// <summary>ReduceLROnPlateau factor.</summary>
    public double reduce_lr_factor { get; init; } = 0.1;
    /// <summary>Batch grouping: none, random or ratio.</summary>
    public string group_method { get; init; } = "ratio";
    /// <summary>Background workers preparing batches.</summary>
    public int workers { get; init; } = 1;
    /// <summary>Batches prepared ahead.</summary>
    public int max_queue_size { get; init; } = 10;
    /// <summary>Random seed for augmentation and initialisation.</summary>
    public int? seed { get; init; }
    /// <summary>The state saved beside <see cref="snapshot"/>, when resuming a run of ours (set by <see cref="TrainingSession"/>).</summary>
    public TrainingState? resume_state { get; init; }
    /// <summary>Device (cpu, cuda, cuda:1).</summary>
    public string device { get; init; } = "cpu";
    /// <summary>Width of the FPN and heads (256 in keras-retinanet; smaller for light CPU models).</summary>
    public int feature_size { get; init; } = 256;
    /// <summary>Head normalisation, box loss and P6 input (<c>--head-norm</c>, <c>--box-loss</c>, <c>--p6-from</c>).</summary>
    public TrainingRecipe recipe { get; init; } = TrainingRecipe.Default;
    /// <summary>Folder for the per-epoch CSV/JSON log (default: the snapshot folder).</summary>
    public string? log_dir { get; init; }
    /// <summary>Compute precision: fp32, or bf16 (mixed precision: bfloat16 products, fp32 weights, batch norm, losses and optimizer).</summary>
    public string precision { get; init; } = "fp32";
    /// <summary>Folder for a detailed evaluation report after each epoch (null for none).</summary>
    public string? report_dir { get; init; }
}
