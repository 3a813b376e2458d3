using System.Reflection;

namespace RetinaNet.Tests.Structure;

/// <summary>One concept, one name: no public top-level type name is declared twice across Core, Layers and Train.</summary>
public class TypeNameTests
{
    static readonly Assembly[] Projects =
    {
        typeof(RetinaNet.Core.Layer).Assembly,
        typeof(RetinaNet.Layers.CustomObjects).Assembly,
        typeof(RetinaNet.Train.Training.RetinaNetTrainer).Assembly,
    };

    /// <summary>
    /// Names allowed twice: Keras' <c>keras.models</c> and RetinaNet's <c>models</c> mirror Python's module names.
    /// (Partial types compile to one type; a static helper beside its generic type, <c>PrefetchingLoader</c> and
    /// <c>PrefetchingLoader&lt;T&gt;</c>, is counted once below.)
    /// </summary>
    static readonly HashSet<string> Allowed = new() { "models" };

    [Test]
    public void NoPublicTopLevelTypeName_IsDeclaredTwice()
    {
        var duplicates = Projects
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => !t.IsNested)
            .GroupBy(t => t.Name.Split('`')[0])
            .Where(g => !Allowed.Contains(g.Key))
            .Select(g => g.Where(t => !IsStaticHelperOfGeneric(t, g)).ToList())
            .Where(types => types.Count > 1)
            .Select(types => string.Join(" and ", types.Select(t => t.FullName)))
            .ToList();
        Assert.That(duplicates, Is.Empty, "Give each concept one name; these are declared more than once.");
    }

    [Test]
    public void TheCheck_SeesTheTypesOfAllThreeProjects()
    {
        var names = Projects.SelectMany(a => a.GetExportedTypes()).Select(t => t.Name).ToHashSet();
        Assert.That(names, Does.Contain("Layer").And.Contain("AnchorMath").And.Contain("Detector"));
    }

    /// <summary>A non-generic static class named like a generic type of the same namespace (its factory methods).</summary>
    static bool IsStaticHelperOfGeneric(Type type, IEnumerable<Type> sameName) =>
        type is { IsAbstract: true, IsSealed: true, IsGenericTypeDefinition: false }
        && sameName.Any(other => other.IsGenericTypeDefinition && other.Namespace == type.Namespace);
}
