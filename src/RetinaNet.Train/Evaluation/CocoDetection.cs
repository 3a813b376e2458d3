namespace RetinaNet.Train.Evaluation;

/// <summary>A COCO result entry: <c>{image_id, category_id, bbox: [x, y, w, h], score}</c>.</summary>
public readonly record struct CocoDetection(long ImageId, int CategoryId, CocoBox Bbox, double Score);
