using System.Globalization;
using System.Numerics;
using System.Text;

namespace RetinaNet.Layers.TorchVision.Checkpoints;

/// <summary>A Python global a pickle named and the safe set allows.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
}

/// <summary>A storage a pickle refers to by persistent id: its key in the archive and its element type.</summary>
internal sealed record StorageReference(string Key, string StorageType);

/// <summary>A tensor as <c>torch._utils._rebuild_tensor_v2</c> describes it: a view of a storage.</summary>
internal sealed record TensorReference(StorageReference Storage, long Offset, long[] Size, long[] Stride);

/// <summary>
/// Python's unpickler restricted as <c>torch.load(weights_only=True)</c> is: it builds only dicts, ordered dicts,
/// lists, tuples, strings, bytes, numbers, booleans, None, storages and tensors. Any other global the pickle names
/// (<c>os.system</c>, a model class, <c>argparse.Namespace</c>…) is refused with an error naming it, before anything
/// is called; so are the opcodes that build arbitrary objects. Nothing is ever executed.
/// </summary>
internal sealed class RestrictedUnpickler
{
    static readonly HashSet<string> StorageTypes = new()
    {
        "FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage", "LongStorage", "IntStorage", "ShortStorage",
        "CharStorage", "ByteStorage", "BoolStorage",
    };

    static readonly HashSet<string> Allowed = new()
    {
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
        "torch.storage.UntypedStorage",
    };

    readonly BinaryReader reader;
    readonly string source;
    readonly List<object?> stack = new();
    readonly Stack<int> marks = new();
    readonly Dictionary<long, object?> memo = new();

    RestrictedUnpickler(Stream stream, string source)
    {
        reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        this.source = source;
    }

    /// <summary>Unpickles one object; <paramref name="source"/> names the file in errors.</summary>
    public static object? Load(Stream stream, string source)
    {
        try
        {
            return new RestrictedUnpickler(stream, source).Run();
        }
        catch (EndOfStreamException e)
        {
            throw new CheckpointException($"{source}: the pickle ends early (truncated or corrupt file).", e);
        }
        catch (Exception e) when (e is InvalidCastException or ArgumentOutOfRangeException or InvalidOperationException or FormatException or KeyNotFoundException)
        {
            throw new CheckpointException($"{source}: malformed pickle ({e.Message}).", e);
        }
    }

    CheckpointException Error(string what) => new($"{source}: {what}");

    object? Run()
    {
        while (true)
        {
            var op = reader.ReadByte();
            switch (op)
            {
                case 0x80: reader.ReadByte(); break; // PROTO
                case 0x95: reader.ReadUInt64(); break; // FRAME
                case (byte)'.': return Pop(); // STOP
                case (byte)'(': marks.Push(stack.Count); break; // MARK
                case (byte)'0': Pop(); break; // POP
                case (byte)'1': PopMark(); break; // POP_MARK
                case (byte)'2': Push(stack[^1]); break; // DUP
                case (byte)'}': Push(new PickleDict()); break;
                case (byte)']': Push(new List<object?>()); break;
                case (byte)')': Push(Array.Empty<object?>()); break;
                case (byte)'t': Push(PopMark().ToArray()); break;
                case 0x85: Push(new[] { Pop() }); break;
                case 0x86: { var b = Pop(); var a = Pop(); Push(new[] { a, b }); break; }
                case 0x87: { var c = Pop(); var b = Pop(); var a = Pop(); Push(new[] { a, b, c }); break; }
                case (byte)'q': memo[reader.ReadByte()] = stack[^1]; break; // BINPUT
                case (byte)'r': memo[reader.ReadUInt32()] = stack[^1]; break; // LONG_BINPUT
                case 0x94: memo[memo.Count] = stack[^1]; break; // MEMOIZE
                case (byte)'p': memo[long.Parse(ReadLine(), CultureInfo.InvariantCulture)] = stack[^1]; break; // PUT
                case (byte)'h': Push(Memo(reader.ReadByte())); break; // BINGET
                case (byte)'j': Push(Memo(reader.ReadUInt32())); break; // LONG_BINGET
                case (byte)'g': Push(Memo(long.Parse(ReadLine(), CultureInfo.InvariantCulture))); break; // GET
                case (byte)'J': Push((long)reader.ReadInt32()); break; // BININT
                case (byte)'K': Push((long)reader.ReadByte()); break; // BININT1
                case (byte)'M': Push((long)reader.ReadUInt16()); break; // BININT2
                case 0x8a: Push(ReadLong(reader.ReadByte())); break; // LONG1
                case 0x8b: Push(ReadLong(checked((int)reader.ReadUInt32()))); break; // LONG4
                case (byte)'I': Push(ParseInt(ReadLine())); break; // INT
                case (byte)'N': Push(null); break;
                case 0x88: Push(true); break;
                case 0x89: Push(false); break;
                case (byte)'G': Push(BitConverter.ToDouble(ReadBigEndian(8))); break; // BINFLOAT
                case (byte)'X': Push(Encoding.UTF8.GetString(ReadExactly(checked((int)reader.ReadUInt32())))); break;
                case 0x8c: Push(Encoding.UTF8.GetString(ReadExactly(reader.ReadByte()))); break;
                case 0x8d: Push(Encoding.UTF8.GetString(ReadExactly(checked((int)reader.ReadUInt64())))); break;
                case (byte)'T': Push(Encoding.Latin1.GetString(ReadExactly(reader.ReadInt32()))); break;
                case (byte)'U': Push(Encoding.Latin1.GetString(ReadExactly(reader.ReadByte()))); break;
                case (byte)'B': Push(ReadExactly(checked((int)reader.ReadUInt32()))); break;
                case (byte)'C': Push(ReadExactly(reader.ReadByte())); break;
                case 0x8e: Push(ReadExactly(checked((int)reader.ReadUInt64()))); break;
                case (byte)'c': Push(Global(ReadLine(), ReadLine())); break; // GLOBAL
                case 0x93: { var name = (string)Pop()!; var module = (string)Pop()!; Push(Global(module, name)); break; }
                case (byte)'R': { var args = (object?[])Pop()!; var callable = Pop(); Push(Reduce(callable, args)); break; }
                case (byte)'b': Build(Pop()); break;
                case (byte)'Q': Push(PersistentLoad(Pop())); break; // BINPERSID
                case (byte)'a': { var item = Pop(); ((List<object?>)stack[^1]!).Add(item); break; }
                case (byte)'e': { var items = PopMark(); ((List<object?>)stack[^1]!).AddRange(items); break; }
                case (byte)'s': { var value = Pop(); var key = Pop(); ((PickleDict)stack[^1]!).Set(key, value); break; }
                case (byte)'u':
                {
                    var items = PopMark();
                    var dict = (PickleDict)stack[^1]!;
                    for (int i = 0; i + 1 < items.Count; i += 2) dict.Set(items[i], items[i + 1]);
                    break;
                }
                case (byte)'i': // INST module\nname\n: builds an instance of a named class
                    throw Refused(ReadLine(), ReadLine());
                case (byte)'o': case 0x81: case 0x92: // OBJ, NEWOBJ, NEWOBJ_EX
                    throw Error($"refuses pickle opcode 0x{op:x2}, which builds an object of an arbitrary class (only tensors and plain containers are loaded).");
                default:
                    throw Error($"unsupported or invalid pickle opcode 0x{op:x2} at byte {reader.BaseStream.Position - 1} (not a state_dict, or corrupt).");
            }
        }
    }

    CheckpointException Refused(string module, string name) =>
        Error($"refuses to unpickle the global '{module}.{name}': only tensors, storages, OrderedDict, lists, tuples and plain values are " +
            "loaded (as torch.load(weights_only=True)). Save the model's state_dict() instead.");

    PickleGlobal Global(string module, string name)
    {
        var full = $"{module}.{name}";
        if (Allowed.Contains(full) || module == "torch" && StorageTypes.Contains(name)) return new PickleGlobal(module, name);
        throw Refused(module, name);
    }

    object? Reduce(object? callable, object?[] args)
    {
        if (callable is not PickleGlobal g) throw Error("malformed pickle: REDUCE on something that is not a callable global.");
        switch (g.FullName)
        {
            case "collections.OrderedDict":
                return new PickleDict();
            case "torch._utils._rebuild_tensor_v2":
                if (args.Length < 4 || args[0] is not StorageReference storage)
                    throw Error("malformed tensor record (_rebuild_tensor_v2 arguments).");
                return new TensorReference(storage, (long)args[1]!, Longs(args[2]), Longs(args[3]));
            case "torch._utils._rebuild_parameter":
                return args.Length > 0 ? args[0] : throw Error("malformed parameter record.");
            default:
                throw Error($"the global '{g.FullName}' cannot be called.");
        }
    }

    static long[] Longs(object? value) => ((object?[])value!).Select(v => (long)v!).ToArray();

    void Build(object? state)
    {
        // OrderedDict state carries the state_dict's _metadata (module versions); nothing else may be built.
        if (stack[^1] is PickleDict) return;
        throw Error("refuses BUILD on an object that is not a dict (only tensors and plain containers are loaded).");
    }

    object PersistentLoad(object? pid)
    {
        if (pid is object?[] { Length: >= 5 } t && t[0] is "storage")
        {
            var type = t[1] switch
            {
                PickleGlobal g => g.Name,
                _ => throw Error("malformed storage record."),
            };
            return new StorageReference(Convert.ToString(t[2], CultureInfo.InvariantCulture)!, type);
        }
        throw Error("unknown persistent id (expected a PyTorch storage record).");
    }

    object? Memo(long key) => memo.TryGetValue(key, out var v) ? v : throw Error($"malformed pickle: memo key {key} is unset.");

    void Push(object? value) => stack.Add(value);

    object? Pop()
    {
        if (stack.Count == 0) throw Error("malformed pickle: stack underflow.");
        var v = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return v;
    }

    List<object?> PopMark()
    {
        if (marks.Count == 0) throw Error("malformed pickle: no mark.");
        var start = marks.Pop();
        var items = stack.GetRange(start, stack.Count - start);
        stack.RemoveRange(start, stack.Count - start);
        return items;
    }

    byte[] ReadExactly(int count)
    {
        if (count < 0) throw Error("malformed pickle: negative length.");
        var bytes = reader.ReadBytes(count);
        if (bytes.Length != count) throw new EndOfStreamException();
        return bytes;
    }

    byte[] ReadBigEndian(int count)
    {
        var bytes = ReadExactly(count);
        if (BitConverter.IsLittleEndian) Array.Reverse(bytes);
        return bytes;
    }

    string ReadLine()
    {
        var sb = new StringBuilder();
        while (true)
        {
            var c = reader.ReadByte();
            if (c == '\n') return sb.ToString();
            if (sb.Length > 4096) throw Error("malformed pickle: text argument too long.");
            sb.Append((char)c);
        }
    }

    object ReadLong(int count)
    {
        var value = new BigInteger(ReadExactly(count), isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (long)value : value;
    }

    static object ParseInt(string text) => text switch
    {
        "00" => false,
        "01" => true,
        _ => long.Parse(text, CultureInfo.InvariantCulture),
    };
}

/// <summary>A pickled dict or OrderedDict, keys in insertion order.</summary>
internal sealed class PickleDict
{
    public List<KeyValuePair<object?, object?>> Items { get; } = new();

    public void Set(object? key, object? value)
    {
        var i = Items.FindIndex(p => Equals(p.Key, key));
        if (i >= 0) Items[i] = new(key, value);
        else Items.Add(new(key, value));
    }
}
