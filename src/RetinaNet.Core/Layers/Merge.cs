using static TorchSharp.torch;

namespace RetinaNet.Core.Layers;

/// <summary>
/// Element-wise merge of a list of tensors (Keras' <c>_Merge</c>, base of <see cref="Add"/>, <see cref="Subtract"/>,
/// <see cref="Multiply"/>). Shapes after the batch axis broadcast from the right; a tensor of lower rank gets size-1
/// axes inserted after the batch axis, as Keras 2 does.
/// </summary>
public abstract class Merge : Layer
{
    /// <summary>Passes the base layer arguments on.</summary>
    protected Merge(string? name, bool trainable, string dtype) : base(name, trainable, dtype) { }

    /// <summary>Combines two tensors (a new tensor; inputs untouched).</summary>
    protected abstract Tensor Combine(Tensor a, Tensor b);

    internal override bool ReturnsOwnMemory => true;

    /// <summary>Checks the number of inputs; the base requires a list of at least two.</summary>
    protected virtual void CheckInputCount(Shapes shapes)
    {
        if (!shapes.IsList)
            throw new ArgumentException($"A merge layer should be called on a list of inputs. Received: input_shape={shapes} (not a list of shapes)");
        if (shapes.Count < 2)
            throw new ArgumentException(
                $"A merge layer should be called on a list of at least 2 inputs. Got {shapes.Count} input{(shapes.Count == 1 ? "" : "s")}.");
    }

    /// <inheritdoc/>
    public override void build(Shapes input_shape)
    {
        compute_output_shape(input_shape);
        base.build(input_shape);
    }

    /// <inheritdoc/>
    public override Shapes compute_output_shape(Shapes input_shape)
    {
        CheckInputCount(input_shape);
        var batches = input_shape.Select(s => s[0]).OfType<long>().Distinct().ToList();
        if (batches.Count > 1)
            throw new ArgumentException($"Can not merge tensors with different batch sizes. Got tensors with shapes: {input_shape}");
        var output = input_shape[0].Skip(1);
        foreach (var shape in input_shape.Skip(1)) output = Broadcast(output, shape.Skip(1));
        return new Shape(new[] { batches.Count == 1 ? batches[0] : (long?)null }.Concat(output).ToArray());
    }

    /// <summary>
    /// Right-aligned broadcasting of two sample shapes. Where one side is unknown the known side wins unless it is 1
    /// (Keras 2 gives None there; a known size is what the tensor will have, and later layers may need it).
    /// </summary>
    static Shape Broadcast(Shape a, Shape b)
    {
        if (a.rank < b.rank) (a, b) = (b, a);
        var output = a.ToArray();
        var offset = a.rank - b.rank;
        for (int j = 0; j < b.rank; j++)
        {
            var (x, y) = (a[offset + j], b[j]);
            output[offset + j] = (x, y) switch
            {
                (null, null) => null,
                (null, 1) or (1, null) => null,
                (null, _) => y,
                (_, null) => x,
                (1, _) => y,
                (_, 1) => x,
                _ when x == y => x,
                _ => throw new ArgumentException($"Operands could not be broadcast together with shapes {a} {b}"),
            };
        }
        return new Shape(output);
    }

    /// <inheritdoc/>
    public override Tensors call(Tensors inputs, bool training = false)
    {
        var shapes = inputs.shapes;
        try
        {
            compute_output_shape(shapes);
        }
        catch (ArgumentException e) when (e is not LayerInputException)
        {
            throw new LayerInputException($"Layer '{name}' ({GetType().Name}) cannot be applied to {Describe(shapes, null)}: {e.Message}", e);
        }
        // Temporaries (aligned views) go with Layer.Apply's scope; an in-place sum returns the caller's own input.
        var rank = inputs.Max(t => t.dim());
        var aligned = inputs.Select(t =>
        {
            while (t.dim() < rank) t = t.unsqueeze(1);
            return t;
        }).ToList();
        var y = Combine(aligned[0], aligned[1]);
        foreach (var t in aligned.Skip(2)) y = Combine(y, t);
        return y;
    }
}
