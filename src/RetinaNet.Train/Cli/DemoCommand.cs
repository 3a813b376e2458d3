using System.CommandLine;
using RetinaNet.Train.Demo;

namespace RetinaNet.Train.Cli;

/// <summary><c>retinanet demo</c>: train and evaluate on the built-in shapes dataset.</summary>
public static class DemoCommand
{
    /// <summary>Creates the command.</summary>
    public static Command Create()
    {
        var defaults = new DemoOptions();
        var output = new Option<string>("--output") { Description = "Folder for the dataset, model, drawings and summary.", DefaultValueFactory = _ => defaults.output };
        var minutes = new Option<double>("--minutes") { Description = "Time budget, everything included.", DefaultValueFactory = _ => defaults.minutes };
        var trainImages = new Option<int>("--train-images") { Description = "Training images to generate.", DefaultValueFactory = _ => defaults.train_images };
        var valImages = new Option<int>("--val-images") { Description = "Validation images to generate.", DefaultValueFactory = _ => defaults.val_images };
        var backbone = new Option<string>("--backbone") { Description = "Backbone.", DefaultValueFactory = _ => defaults.backbone };
        var featureSize = new Option<int>("--feature-size") { Description = "Channels of the FPN and heads.", DefaultValueFactory = _ => defaults.feature_size };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per batch.", DefaultValueFactory = _ => defaults.batch_size };
        var lr = new Option<double>("--lr") { Description = "Initial learning rate (cosine decay over the budget).", DefaultValueFactory = _ => defaults.lr };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => defaults.seed };
        var workers = new Option<int>("--workers") { Description = "Background workers preparing batches.", DefaultValueFactory = _ => defaults.workers };
        var imageSize = new Option<int>("--image-size") { Description = "Side of the generated square images.", DefaultValueFactory = _ => defaults.image_size };

        var recipe = new TrainingRecipeOptions();
        var command = new Command("demo", "Generate a shapes dataset, train a light RetinaNet on the CPU, evaluate mAP and draw predictions.")
        {
            output, minutes, trainImages, valImages, backbone, featureSize, batchSize, lr, seed, workers, imageSize,
        };
        foreach (var option in recipe.Options) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var options = defaults with
            {
                output = parse.GetValue(output)!, minutes = parse.GetValue(minutes), train_images = parse.GetValue(trainImages),
                val_images = parse.GetValue(valImages), backbone = parse.GetValue(backbone)!, feature_size = parse.GetValue(featureSize),
                batch_size = parse.GetValue(batchSize), lr = parse.GetValue(lr), seed = parse.GetValue(seed), workers = parse.GetValue(workers),
                image_size = parse.GetValue(imageSize), recipe = recipe.Bind(parse),
            };
            return CliErrors.Run(() =>
            {
                using var interruption = Interruption.Listen();
                DemoRunner.Run(options, Console.WriteLine, interruption.Token);
                return interruption.Finish();
            });
        });
        return command;
    }
}
