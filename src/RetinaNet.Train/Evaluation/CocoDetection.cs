namespace RetinaNet.Train.Evaluation;

/// <summary>A COCO result entry: <c>{image_id, category_id, bbox: [x, y, w, h], score}</c>.</summary>
/// <param name="ImageId">The image it was found in.</param>
/// <param name="CategoryId">Its COCO category id (keras-retinanet maps labels with <c>label_to_coco_label</c>).</param>
/// <param name="Bbox">Its box <c>[x, y, w, h]</c>; <c>w * h</c> is its area for the area ranges.</param>
/// <param name="Score">Its confidence; detections are ranked by it.</param>
public readonly record struct CocoDetection(long ImageId, int CategoryId, CocoBox Bbox, double Score);
