using PureHDF;
using RetinaNet.Core;
using RetinaNet.Core.Layers;

namespace RetinaNet.Tests.Core.Saving;

/// <summary>Damaged and wrong files give one <see cref="KerasFileException"/> that names the file and the problem.</summary>
public class BrokenFileTests : H5TestBase
{
    static Model SmallModel()
    {
        var input = keras.Input(new Shape(5, 5, 2), name: "in");
        var x = new Conv2D(3, 3, padding: "same", name: "conv").Apply(input);
        return keras.Model(input, new Dense(2, name: "dense").Apply(x), name: "small");
    }

    [Test]
    public void NotAnHdf5File()
    {
        var path = Temp("model.h5");
        File.WriteAllText(path, "{\"class_name\": \"Functional\"} is JSON, not HDF5");

        var e = Assert.Throws<KerasFileException>(() => keras.models.load_model(path))!;

        Assert.That(e.Message, Does.Contain(path).And.Contain("is not an HDF5 file"));
        Assert.That(e.filepath, Is.EqualTo(path));
    }

    [Test]
    public void MissingFile_KerasWording()
    {
        var path = Temp("missing.h5");

        var e = Assert.Throws<KerasFileException>(() => SmallModel().load_weights(path))!;

        Assert.That(e.Message, Is.EqualTo($"No file or directory found at {path}."));
    }

    [Test]
    public void TruncatedFile()
    {
        var path = Temp("model.h5");
        SmallModel().save(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var e = Assert.Throws<KerasFileException>(() => keras.models.load_model(path))!;

        Assert.That(e.Message, Does.Contain(path).And.Contain("truncated").And.Contain($"only {bytes.Length / 2} bytes"));
    }

    [Test]
    public void OverwrittenMetadata_FailsItsHdf5Checksum_AsH5pyWouldSay()
    {
        var path = Temp("model.h5");
        SmallModel().save(path);
        Assert.That(keras.models.load_model(path).layers, Is.Not.Empty, "every checksum of an intact file verifies");
        var bytes = File.ReadAllBytes(path);
        // 4 KB of garbage from the object header nearest the middle of the file (a damaged disk block).
        var headers = Enumerable.Range(0, bytes.Length - 4).Where(i => bytes.AsSpan(i, 4).SequenceEqual("OHDR"u8)).ToList();
        var at = headers.OrderBy(i => Math.Abs(i - bytes.Length / 2)).First();
        var random = new Random(7);
        for (int i = at + 8; i < Math.Min(bytes.Length, at + 4096); i++) bytes[i] = (byte)random.Next(256);
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<KerasFileException>(() => keras.models.load_model(path))!;

        // Whichever damaged header the walk from the root meets first is named.
        Assert.That(e.Message, Does.StartWith($"'{path}' is damaged: ").And.Contain("HDF5").And.Contain("Use an earlier copy of the file."));
    }

    [Test]
    public void OverwrittenSuperblock_FailsItsChecksum()
    {
        var path = Temp("model.h5");
        SmallModel().save(path);
        var bytes = File.ReadAllBytes(path);
        Assert.That(bytes[8], Is.GreaterThanOrEqualTo(2), "our files use the checksummed superblock");
        bytes[12] ^= 0x01; // the file consistency flags... or base address: covered by the checksum either way
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<KerasFileException>(() => keras.models.load_model(path))!;

        Assert.That(e.Message, Does.Contain("its superblock fails its HDF5 checksum"));
    }

    [Test]
    public void WeightsFileWithoutModelConfig_KerasWording()
    {
        var path = Temp("weights.h5");
        SmallModel().save_weights(path);

        var e = Assert.Throws<KerasFileException>(() => keras.models.load_model(path))!;

        Assert.That(e.Message, Is.EqualTo($"No model config found in the file at {path}."));
    }

    [Test]
    public void MalformedLayerEntry_NamesTheEntryAndTheFile()
    {
        var path = Temp("model.h5");
        var config = """
            {"class_name": "Functional", "config": {"name": "m", "layers": [
              {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 3], "name": "x"}, "name": "x", "inbound_nodes": []},
              ["Dense", {"units": 2}]],
              "input_layers": [["x", 0, 0]], "output_layers": [["x", 0, 0]]}}
            """;
        new H5File { Attributes = { ["model_config"] = config } }.Write(path);

        var e = Assert.Throws<KerasFileException>(() => keras.models.load_model(path))!;

        Assert.That(e.Message, Does.Contain(path).And.Contain("layer entry #1 should be an object"));
        Assert.That(e.InnerException, Is.TypeOf<KerasConfigException>());
    }

    /// <summary>
    /// Copies of a saved model with random damage — flipped bytes, zeroed runs, truncation — either load or fail
    /// with a <see cref="KerasFileException"/>; nothing else escapes, and the process survives.
    /// </summary>
    [Test]
    public void RandomlyDamagedCopies_FailOnlyWithKerasFileException()
    {
        var original = Temp("model.h5");
        var model = SmallModel();
        model.save(original);
        var bytes = File.ReadAllBytes(original);
        var random = new Random(20240521);
        var outcomes = new Dictionary<string, int>();

        for (int copy = 0; copy < 100; copy++)
        {
            var damaged = (byte[])bytes.Clone();
            switch (copy % 3)
            {
                case 0:
                    for (int i = random.Next(1, 20); i > 0; i--) damaged[random.Next(damaged.Length)] ^= (byte)random.Next(1, 256);
                    break;
                case 1:
                    Array.Clear(damaged, random.Next(damaged.Length - 64), random.Next(1, 64));
                    break;
                default:
                    damaged = damaged[..random.Next(damaged.Length)];
                    break;
            }
            var path = Temp($"damaged{copy}.h5");
            File.WriteAllBytes(path, damaged);
            try
            {
                if (copy % 2 == 0) keras.models.load_model(path, compile: false);
                else SmallModel().load_weights(path);
                outcomes["loaded"] = outcomes.GetValueOrDefault("loaded") + 1;
            }
            catch (KerasFileException e)
            {
                Assert.That(e.Message, Does.Contain(path), $"copy {copy}");
                outcomes["KerasFileException"] = outcomes.GetValueOrDefault("KerasFileException") + 1;
            }
            catch (Exception e)
            {
                Assert.Fail($"copy {copy} ({copy % 3}) threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
        }
        TestContext.Out.WriteLine(string.Join(", ", outcomes.Select(p => $"{p.Key}: {p.Value}")));
        Assert.That(outcomes.GetValueOrDefault("KerasFileException"), Is.GreaterThan(0));
    }
}
