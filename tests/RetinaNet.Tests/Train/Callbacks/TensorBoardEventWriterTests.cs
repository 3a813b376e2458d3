using System.Text;
using RetinaNet.Train.Callbacks;

namespace RetinaNet.Tests.Train.Callbacks;

public class TensorBoardEventWriterTests
{
    [Test]
    public void Crc32C_MatchesTheStandardCheckValue() =>
        // The CRC-32C check value of "123456789" is 0xE3069283 (RFC 3720, appendix B.4).
        Assert.That(Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")), Is.EqualTo(0xE3069283u));

    [Test]
    public void EventFile_HoldsFramedRecords_WithTheScalarTagAndValue()
    {
        var dir = Path.Combine(Path.GetTempPath(), "tb-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path;
            using (var writer = new TensorBoardEventWriter(dir))
            {
                writer.Scalar("mAP", 0.75, 3);
                path = writer.path;
            }
            Assert.That(Path.GetFileName(path), Does.StartWith("events.out.tfevents."));
            var bytes = File.ReadAllBytes(path);
            var records = new List<byte[]>();
            for (int at = 0; at < bytes.Length;)
            {
                var length = (int)BitConverter.ToUInt64(bytes, at);
                var lengthCrc = BitConverter.ToUInt32(bytes, at + 8);
                Assert.That(lengthCrc, Is.EqualTo(Mask(Crc32C.Compute(bytes.AsSpan(at, 8)))));
                var data = bytes.AsSpan(at + 12, length).ToArray();
                Assert.That(BitConverter.ToUInt32(bytes, at + 12 + length), Is.EqualTo(Mask(Crc32C.Compute(data))));
                records.Add(data);
                at += 12 + length + 4;
            }
            Assert.That(records, Has.Count.EqualTo(2));
            Assert.That(Encoding.UTF8.GetString(records[0]), Does.Contain("brain.Event:2"));
            // Event.step (field 2, varint) = 3, and the summary holds tag "mAP" with simple_value 0.75f.
            var scalar = records[1];
            Assert.That(Encoding.UTF8.GetString(scalar), Does.Contain("mAP"));
            var stepAt = Array.IndexOf(scalar, (byte)0x10);
            Assert.That(scalar[stepAt + 1], Is.EqualTo(3));
            var floatKey = Array.IndexOf(scalar, (byte)0x15);
            Assert.That(BitConverter.ToSingle(scalar, floatKey + 1), Is.EqualTo(0.75f));
        }
        finally { Directory.Delete(dir, true); }
    }

    static uint Mask(uint crc) => ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}
