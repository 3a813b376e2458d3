using Mono.Cecil;
using Mono.Cecil.Cil;

namespace RetinaNet.Tests.Core.Runtime;

/// <summary>One call site where TorchSharp receives a <c>Scalar</c> that nothing holds.</summary>
/// <param name="Owner">The declaring type of the source method (compiler-generated closures mapped back).</param>
/// <param name="Member">The source method (lambdas and iterators mapped back to the method that wrote them).</param>
/// <param name="ILOffset">IL offset of the call inside the compiled method body.</param>
/// <param name="Source">file:line from the PDB, when there is one.</param>
/// <param name="Callee">The TorchSharp member called.</param>
/// <param name="Why">How the unheld scalar comes about (the chain inside TorchSharp).</param>
/// <param name="Instead">What to write instead.</param>
public sealed record UnheldScalarSite(string Owner, string Member, int ILOffset, string? Source, string Callee, string Why,
    string Instead)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"{Owner}::{Member} (IL_{ILOffset:x4}{(Source is null ? "" : ", " + Source)}): {Callee} — {Why}. Write instead: {Instead}";
}

/// <summary>
/// Finds, in compiled assemblies, every call that hands TorchSharp 0.107 a <c>Scalar</c> nobody holds (see
/// <c>HeldScalar</c>'s remarks): an implicit number → Scalar conversion or a <c>ToScalar()</c> whose result is
/// neither disposed nor stored in a field, and any TorchSharp member that creates such a Scalar inside itself
/// (found by reading TorchSharp's own IL transitively, so <c>Tensor + Tensor</c> → <c>add(Tensor)</c> →
/// <c>add(other, 1)</c> is caught without a hand-kept list).
/// </summary>
public sealed class UnheldScalarScanner
{
    const string ScalarType = "TorchSharp.Scalar";
    const string ScalarExtensions = "TorchSharp.ScalarExtensionMethods";
    const string TensorType = "TorchSharp.torch/Tensor";

    readonly DefaultAssemblyResolver resolver = new();
    readonly ReaderParameters readerParameters;
    /// <summary>TorchSharp methods that create an unheld Scalar inside them, with the chain that shows it.</summary>
    readonly Dictionary<string, string> creators = new();

    /// <summary>Reads TorchSharp from <paramref name="torchSharpPath"/> and works out which of its members create
    /// unheld scalars.</summary>
    public UnheldScalarScanner(string torchSharpPath)
    {
        resolver.AddSearchDirectory(Path.GetDirectoryName(torchSharpPath)!);
        resolver.AddSearchDirectory(Path.GetDirectoryName(typeof(object).Assembly.Location)!);
        readerParameters = new ReaderParameters { AssemblyResolver = resolver, ReadSymbols = false };
        var torchSharp = AssemblyDefinition.ReadAssembly(torchSharpPath, readerParameters);
        FindCreators(torchSharp.MainModule);
    }

    /// <summary>TorchSharp members (by full name) that create an unheld Scalar, each with its chain.</summary>
    public IReadOnlyDictionary<string, string> Creators => creators;

    /// <summary>Every unheld-scalar call site in the assembly at <paramref name="assemblyPath"/>.</summary>
    public List<UnheldScalarSite> Scan(string assemblyPath)
    {
        var hasPdb = File.Exists(Path.ChangeExtension(assemblyPath, ".pdb"));
        using var assembly = AssemblyDefinition.ReadAssembly(assemblyPath,
            new ReaderParameters { AssemblyResolver = resolver, ReadSymbols = hasPdb });
        var sites = new List<UnheldScalarSite>();
        foreach (var type in AllTypes(assembly.MainModule))
        foreach (var method in type.Methods.Where(m => m.HasBody))
        foreach (var instruction in method.Body.Instructions)
        {
            if (instruction.Operand is not MethodReference callee || !IsCallLike(instruction.OpCode)) continue;
            if (callee.DeclaringType.Scope.Name is not ("TorchSharp" or "TorchSharp.dll")) continue;
            string? why = null;
            if (IsScalarFactory(callee) || IsNumberToTensor(callee))
            {
                if (!IsHeld(method, instruction))
                    why = $"{Describe(callee)} makes a {callee.ReturnType.Name} that is neither disposed nor kept in a field";
            }
            else if (creators.TryGetValue(Key(callee), out var chain))
            {
                why = chain;
            }
            if (why is null) continue;
            var (owner, member) = SourceMember(method);
            sites.Add(new UnheldScalarSite(owner, member, instruction.Offset, SourceLine(method, instruction),
                Describe(callee), why, Advice(callee)));
        }
        return sites;
    }

    void FindCreators(ModuleDefinition module)
    {
        var methods = AllTypes(module).SelectMany(t => t.Methods).Where(m => m.HasBody).ToList();
        foreach (var method in methods)
        {
            if (IsScalarFactory(method)) continue;
            foreach (var instruction in method.Body.Instructions)
            {
                if (instruction.Operand is MethodReference callee && IsCallLike(instruction.OpCode) && IsScalarFactory(callee)
                    && !IsHeld(method, instruction))
                {
                    creators[Key(method)] = $"{Describe(method)} creates a Scalar with {Describe(callee)} and drops it";
                    break;
                }
            }
        }
        // Propagate through TorchSharp's own calls (operator+ → add(Tensor) → add(Tensor, Scalar) with an implicit 1).
        bool changed;
        do
        {
            changed = false;
            foreach (var method in methods)
            {
                var key = Key(method);
                if (creators.ContainsKey(key) || IsScalarFactory(method)) continue;
                foreach (var instruction in method.Body.Instructions)
                {
                    if (instruction.Operand is MethodReference callee && IsCallLike(instruction.OpCode)
                        && creators.TryGetValue(Key(callee), out var chain))
                    {
                        creators[key] = $"{Describe(method)} → {chain}";
                        changed = true;
                        break;
                    }
                }
            }
        } while (changed);
    }

    static bool IsCallLike(OpCode op) => op.Code is Code.Call or Code.Callvirt or Code.Newobj or Code.Ldftn or Code.Ldvirtftn;

    /// <summary>Scalar::op_Implicit(number) and the ToScalar() extensions: the two ways a Scalar is born.</summary>
    static bool IsScalarFactory(MethodReference m) =>
        (m.DeclaringType.FullName == ScalarType && m.Name == "op_Implicit")
        || (m.DeclaringType.FullName == ScalarExtensions && m.Name == "ToScalar");

    /// <summary>
    /// The implicit number → Tensor conversion: a 0-dim tensor with the same finalizer race when our code hands it
    /// to libtorch (inside TorchSharp it is only ever returned, e.g. <c>gt(null)</c> → false, so it is not followed).
    /// </summary>
    static bool IsNumberToTensor(MethodReference m) =>
        m.DeclaringType.FullName == TensorType && m.Name == "op_Implicit" && m.Parameters.Count == 1
        && m.Parameters[0].ParameterType.IsPrimitive;

    /// <summary>
    /// A new Scalar is held when it goes straight into a field (HeldScalar's cache, a closure of a <c>using</c>) or
    /// into a local that the method disposes (<c>using var s = 2.0.ToScalar();</c>).
    /// </summary>
    static bool IsHeld(MethodDefinition method, Instruction created)
    {
        var next = created.Next;
        while (next is not null && next.OpCode.Code == Code.Nop) next = next.Next;
        if (next is null) return false;
        if (next.OpCode.Code is Code.Stfld or Code.Stsfld) return true;
        var local = StoredLocal(method, next);
        if (local < 0) return false;
        foreach (var instruction in method.Body.Instructions)
        {
            if (LoadedLocal(method, instruction) != local) continue;
            var after = instruction.Next;
            if (after?.Operand is MethodReference { Name: "Dispose" } && after.OpCode.Code is Code.Call or Code.Callvirt) return true;
        }
        return false;
    }

    static int StoredLocal(MethodDefinition method, Instruction i) => i.OpCode.Code switch
    {
        Code.Stloc_0 => 0, Code.Stloc_1 => 1, Code.Stloc_2 => 2, Code.Stloc_3 => 3,
        Code.Stloc or Code.Stloc_S => ((VariableDefinition)i.Operand).Index,
        _ => -1,
    };

    static int LoadedLocal(MethodDefinition method, Instruction i) => i.OpCode.Code switch
    {
        Code.Ldloc_0 => 0, Code.Ldloc_1 => 1, Code.Ldloc_2 => 2, Code.Ldloc_3 => 3,
        Code.Ldloc or Code.Ldloc_S => ((VariableDefinition)i.Operand).Index,
        _ => -2,
    };

    static string Key(MethodReference m)
    {
        var element = m.GetElementMethod();
        var type = element.DeclaringType.GetElementType().FullName;
        return $"{type}::{element.Name}({string.Join(",", element.Parameters.Select(p => p.ParameterType.FullName))})";
    }

    static string Describe(MethodReference m)
    {
        var type = m.DeclaringType.FullName.Replace("TorchSharp.", "").Replace('/', '.');
        if (m.Name == "op_Implicit") return $"implicit {ShortName(m.Parameters[0].ParameterType)} → {m.ReturnType.Name}";
        var parameters = string.Join(", ", m.Parameters.Select(p => ShortName(p.ParameterType)));
        return $"{type}.{m.Name}({parameters})";
    }

    static string ShortName(TypeReference t) => t.Name switch
    {
        "Double" => "double", "Single" => "float", "Int32" => "int", "Int64" => "long", "Boolean" => "bool",
        var name => name,
    };

    static string Advice(MethodReference callee)
    {
        var types = callee.Parameters.Select(p => p.ParameterType.FullName).ToList();
        bool TensorOnly() => types.Count > 0 && types.All(t => t.EndsWith("/Tensor"));
        return callee.Name switch
        {
            "op_Implicit" when callee.ReturnType.Name == "Tensor" =>
                "`using var t = torch.tensor(value);` and pass t",
            "op_Implicit" or "ToScalar" =>
                "hold the Scalar: HeldScalar.Of(constant), or `using var s = value.ToScalar();` for a per-call value, and pass it",
            "op_Addition" when TensorOnly() => "a.add(b, HeldScalar.One)",
            "op_Subtraction" when TensorOnly() => "a.sub(b, HeldScalar.One)",
            "op_Addition" or "op_Subtraction" or "op_Multiply" or "op_Division" =>
                "the named method with a held Scalar: x.mul(HeldScalar.Of(2)), x.sub(HeldScalar.Of(1)), 1 - p as p.neg().add(HeldScalar.One, HeldScalar.One)",
            "add" or "sub" or "add_" or "sub_" => $"{callee.Name}(other, HeldScalar.One) (explicit alpha)",
            "addcmul" or "addcdiv" or "addcmul_" or "addcdiv_" => $"{callee.Name}(t1, t2, HeldScalar.One) (explicit value)",
            _ => "the overload that takes Scalar arguments, passing HeldScalar.Of(constant) or a `using` local",
        };
    }

    /// <summary>Maps a compiler-generated closure/iterator/async method back to the method the code was written in.</summary>
    static (string owner, string member) SourceMember(MethodDefinition method)
    {
        var type = method.DeclaringType;
        var member = method.Name;
        while (type.IsNested && type.Name.StartsWith('<'))
        {
            if (member.StartsWith('<') || member == "MoveNext") member = Unmangle(type.Name.StartsWith("<>") ? member : type.Name);
            type = type.DeclaringType;
        }
        if (member.StartsWith('<')) member = Unmangle(member);
        return (type.FullName.Replace('/', '.'), member);
    }

    static string Unmangle(string name)
    {
        var close = name.IndexOf('>');
        return name.StartsWith('<') && close > 1 ? name[1..close] : name;
    }

    static string? SourceLine(MethodDefinition method, Instruction instruction)
    {
        if (!method.DebugInformation.HasSequencePoints) return null;
        SequencePoint? best = null;
        foreach (var point in method.DebugInformation.SequencePoints)
        {
            if (point.Offset > instruction.Offset) break;
            if (!point.IsHidden) best = point;
        }
        return best is null ? null : $"{Path.GetFileName(best.Document.Url)}:{best.StartLine}";
    }

    static IEnumerable<TypeDefinition> AllTypes(ModuleDefinition module)
    {
        var stack = new Stack<TypeDefinition>(module.Types);
        while (stack.Count > 0)
        {
            var type = stack.Pop();
            yield return type;
            foreach (var nested in type.NestedTypes) stack.Push(nested);
        }
    }
}
