namespace RetinaNet.Train.Evaluation;

/// <summary>The error categories of TIDE (Bolya et al., 2020), in its order.</summary>
public enum ErrorType
{
    /// <summary>Right place (IoU ≥ foreground threshold with a box of another class), wrong class.</summary>
    Classification,
    /// <summary>Right class, box misplaced (background ≤ IoU &lt; foreground threshold).</summary>
    Localization,
    /// <summary>Wrong class and misplaced.</summary>
    Both,
    /// <summary>Right class and place, but the box was already found by a higher-scoring detection.</summary>
    Duplicate,
    /// <summary>Overlaps no ground truth (IoU &lt; background threshold with every box).</summary>
    Background,
    /// <summary>A ground-truth box no detection found or nearly found.</summary>
    Missed,
}
