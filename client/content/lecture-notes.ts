/**
 * The "Notes on the lecture" page's content: each place where a slide differs from the paper
 * it cites (the game follows the paper), and each place where the project's own models are
 * variants of what the papers describe. Each entry names the file that implements it.
 */
export interface LectureNote {
  title: string;
  /** The slide's heading in the lecture, for the errata. */
  slide?: string;
  body: string[];
}

export const LECTURE_ERRATA: readonly LectureNote[] = [
  {
    title: 'Generative Adversarial Network (GAN) Recap',
    slide: 'Generative Adversarial Network (GAN) Recap',
    body: [
      'After the minimax V(D,G), the slide says "thus the generator tries to maximize log D(G(z))". In Goodfellow et al. (2014, eq. 1), G minimises log(1 − D(G(z))). Maximising log D(G(z)) is their separate practical fix against early saturation (§3): it has the same fixed point and stronger gradients, but it does not follow from V (imprecise). The game scores "Spot the fake" with V\'s two terms (shared/rounds/log-score.ts) and trains its GAN with the non-saturating loss (models/gan/train-step.ts).',
    ],
  },
  {
    title: 'Style encoding',
    slide: 'Style encoding',
    body: [
      'The slide writes "L_style‖z − S(G(z,t₁))‖²₂ … where x is the image", with no "=", no expectation, and an x that does not appear in the formula. Reed et al. (2016, "Inverting the generator for style transfer") write L_style = E_{t, z∼N(0,1)} ‖z − S(G(z, φ(t)))‖²₂, and x comes in only at inference, s ← S(x) (imprecise). The game uses the batch mean of ‖z − S(G(z, φ(t)))‖² with z ∼ N(0, I) and a random caption, on a frozen G (models/style/trainer.ts).',
    ],
  },
  {
    title: 'DDPM: Learning the reverse',
    slide: 'DDPM: Learning the reverse',
    body: [
      'The slide says L_T "ensures that the first reverse step is close to the final forward step". In Ho et al. (2020, eq. 5 and §3.1), L_T = KL(q(x_T | x₀) ‖ p(x_T)) compares the end of the forward process with the fixed prior N(0, I). With the β_t fixed it has nothing to learn, so it is a constant that training ignores (imprecise). In the game, sampling starts from x_T ∼ N(0, I) and the schedule, not training, keeps L_T small: in the Noise schedule lab, a curve that leaves ᾱ_T well above 0 gives an x_T that is not pure noise, and the SNR plot shows it (shared/diffusion/schedule.ts, customSchedule).',
    ],
  },
  {
    title: 'DDPM: Simplify everything (first of the two slides)',
    slide: 'DDPM: Simplify everything',
    body: [
      'The slide says "fix the standard deviation of both processes and tie them together … using σ_t I". Ho et al. (2020, §3.2) fix the reverse covariance Σ_θ = σ_t² I, while the posterior keeps its own variance β̃_t = (1−ᾱ_{t−1})/(1−ᾱ_t) · β_t (eq. 7, not on any slide). They tried both σ_t² = β_t and σ_t² = β̃_t with similar results, and eq. 8 holds for any fixed σ_t, so nothing has to be "tied" (imprecise). The game\'s DDPM sampler has both options, β_t by default and β̃_t as \'posterior\' (shared/diffusion/samplers.ts, posteriorVariance in shared/diffusion/posterior.ts).',
    ],
  },
  {
    title: 'DDPM: Simplify everything (second slide)',
    slide: 'DDPM: Simplify everything',
    body: [
      'The slide\'s μ̃ = √ᾱ_{t−1}β_t/(1−ᾱ_t) · x_t + √α_t(1−α_{t−1})/(1−ᾱ_t) · x₀ swaps x_t and x₀ and drops the bar on α_{t−1}. Ho et al. (2020, eq. 7) give μ̃_t = √ᾱ_{t−1}β_t/(1−ᾱ_t) · x₀ + √α_t(1−ᾱ_{t−1})/(1−ᾱ_t) · x_t. Only this form reduces to the slide\'s own (correct) ε-form (1/√α_t)(x_t − β_t/√(1−ᾱ_t) ε) and gives μ̃ = x₀ at t = 1; also, the slide\'s "μ̃_θ" has no θ in it (wrong). The game implements eq. 7 (shared/diffusion/posterior.ts, comment "Lecture erratum"), and test/unit/diffusion.test.ts checks that the slide\'s version is not the posterior.',
    ],
  },
  {
    title: 'DDPM: Noise prediction',
    slide: 'DDPM: Noise prediction',
    body: [
      'The slide says L_simple is what remains "if we neglect C, L₀ and L_T". In Ho et al. (2020), putting ε_θ into eq. 8 gives eq. 12, which weights each t by β_t²/(2σ_t² α_t(1−ᾱ_t)). L_simple (eq. 14) also drops that weight, a reweighting that gave better samples, and its t = 1 term stands in for L₀ rather than L₀ being thrown away (imprecise). The game\'s diffusion model trains exactly L_simple, with t uniform in 1…1000 (models/diffusion/trainer.ts).',
    ],
  },
  {
    title: 'DDPM Properties',
    slide: 'DDPM Properties',
    body: [
      'The slide says "around 500–1000 steps" and "a relatively small 256×256 size U-Net". Ho et al. (2020, §4) use T = 1000 in every experiment. Their U-Net has 35.7M parameters for 32×32 CIFAR-10 and 114M for 256×256 CelebA-HQ/LSUN: not small, and 256×256 is an image size (imprecise). The game uses T = 1000 with linear β from 1e-4 to 0.02 (linearSchedule in shared/diffusion/schedule.ts); its own ε-network is a 1.08M-parameter U-Net on an 8×8×4 latent (models/diffusion/README.md).',
    ],
  },
  {
    title: 'InfoNCE',
    slide: 'InfoNCE',
    body: [
      "K = {k⁺, k⁻₁, …, k⁻_M} has M + 1 elements, but both formulas sum over i = 0 … M+1, which is M + 2 terms. The softmax should run over the M + 1 elements of K, one positive and M negatives, as in van den Oord et al. (2018) (wrong, off by one). The game's CLIP loss is a log-softmax over exactly the B = 128 captions (or images) of the batch (models/clip/loss.ts).",
    ],
  },
  {
    title: 'Adding label supervision (second of the two slides)',
    slide: 'Adding label supervision',
    body: [
      "The slide's L^sup_out = Σ_q −1/|P(q)| · log Σ_{k^p∈P(q)} [exp(S(q,k^p)) / Σ_i exp(S(q,k[i]))] puts the sum over positives inside the log. Khosla et al. (2020) define L^sup_out = Σ_i −1/|P(i)| · Σ_{p∈P(i)} log [exp(z_i·z_p/τ) / Σ_{a∈A(i)} exp(z_i·z_a/τ)], with the sum outside, which is what \"out\" means and the variant they found better. As written, the slide's formula is neither variant; its L^sup_in on the first slide is right (wrong). The game uses the paper's L^sup_out, −1/|P(i)| · Σ_{j∈P(i)} log softmax_j(S_i·) (models/clip/loss.ts).",
    ],
  },
  {
    title: 'CLIP Structure',
    slide: 'CLIP Structure',
    body: [
      'The slide writes ‖E_I·W_I‖_{L2} and calls t the "temperature". In Radford et al. (2021, Fig. 3 pseudocode), each embedding is L2-normalised, whereas ‖·‖ would be a norm, a single number. The logits are multiplied by exp(t), so t is the log of the inverse temperature, τ = e^(−t), which starts at 0.07 and is clipped so that the scale never exceeds 100 (§2.5) (imprecise). The game L2-normalises both embeddings, starts t at log(1/0.07) and clamps it at log 100 (models/clip/encoders.ts, models/clip/trainer.ts).',
    ],
  },
];

/** Slides checked against their papers and found to agree (the page says so). */
export const SLIDES_THAT_AGREE =
  'These were checked and agree with the papers: V(D,G) (Goodfellow et al. 2014, eq. 1); L_CLS with weights 1, ½, ½ on "Text-Conditional GAN Training" (Reed et al. 2016, Algorithm 1; "T_fake" there means a mismatched real caption); β = 0.5 for GAN-INT; q(x_t | x_{t−1}), q(x_t | x₀), the ε-form of μ̃ and the form of L_simple (Ho et al. 2020, eqs. 2, 4, 11, 14); CLIP\'s symmetric cross-entropy; and L^sup_in.';

export const MODEL_VARIANTS: readonly LectureNote[] = [
  {
    title: 'A tiny CLIP pair as the text encoder φ',
    body: [
      "Reed et al. embed captions with a char-CNN-RNN, and CLIP uses a Transformer with a ResNet/ViT. Here φ is a mean-pooled per-token MLP (11.2k parameters), trained with CLIP's symmetric loss beside a three-conv image encoder (165.6k). Why: everything trains in minutes on two CPU cores with TF.js wasm, and one frozen φ conditions the GAN, the diffusion model and the Blend round (models/clip/encoders.ts, models/README.md).",
    ],
  },
  {
    title: 'Supervised-contrastive CLIP loss',
    body: [
      "Every pair in the batch that has the same caption is a positive, and the target row is uniform over them (Khosla et al.'s L^sup_out, used across image and text). With distinct captions this is exactly the one-hot CLIP loss. Why: only 128 captions exist, so a batch of 128 has duplicates, and a one-hot target would push an image away from its own caption's copy (models/clip/loss.ts).",
    ],
  },
  {
    title: 'GAN-INT also trains D',
    body: [
      'Reed et al. add E[log(1 − D(G(z, βt₁ + (1−β)t₂)))] to the generator\'s objective only. Here D also gets the interpolated fakes, scored against φ_β, as a fourth term with weight 0.5, and G minimises −log D(G(z′, φ_β), φ_β). Why: the code only says they form a fake term "of their own (weight 0.5, like the right-text fakes)" and gives no further reason (models/gan/train-step.ts header, models/gan/conditioning.ts).',
    ],
  },
  {
    title: 'Hard negatives for the mismatched caption',
    body: [
      'Half of the mismatched captions t̂ are random, as in Reed et al. The other half are the same caption with exactly one attribute (size, colour or shape) changed. Why: a random caption nearly always differs in colour, the easiest cue, and hard negatives make D check every attribute (wrongCaption in models/gan/conditioning.ts).',
    ],
  },
  {
    title: "CLIP guidance in G's loss",
    body: [
      "G also minimises λ·max(0, CE − m), where CE measures how well the frozen CLIP pair reads G's image as its caption among all 128 (as in LAFITE and StyleGAN-T), with λ = 1 and m = 0.2; D is untouched. Why: GAN-CLS alone taught size and colour but not shape (14–20%), and the margin stops the push once p(caption) ≥ 0.82 so the adversarial term keeps the images realistic (models/gan/train-step.ts).",
    ],
  },
  {
    title: 'A layered generator with z split by role',
    body: [
      'After LR-GAN (Yang et al. 2017), an object layer is pasted on a background layer. z[0:2] places the object, z[2:12] draws the background (which never sees the caption), z[12:32] and the caption draw the object, and a frozen ridge-regression layer fitted to the data set maps φ to the object\'s size and range of movement. Why: earlier Gs drew every object centred whatever z, and style has to live in known parts of z for S and the Restyle round; the layout reads φ "because G only ever hears φ" (models/gan/networks.ts, models/gan/layout-fit.ts, models/tf/layout-layers.ts).',
    ],
  },
  {
    title: 'Background codes, an AC-GAN class term and a background critic',
    body: [
      "The argmax of z[2:6] and of z[6:10] picks the background colour and pattern. A head trained only on real images (AC-GAN, Odena et al. 2017) ties each code to its class, and a matching-aware critic K judges each background against its colour × pattern pair. Why: with a continuous z, G drew plum (a quarter of the data) for 0.3% of z, and the class head alone let G draw backgrounds that no real image has; K sees G's images and rejects them (ClassTerm and BgCritic in models/gan/train-step.ts).",
    ],
  },
  {
    title: 'D has a projection term and a minibatch-std channel',
    body: [
      "D keeps Reed et al.'s tiled, depth-concatenated φ and adds ⟨Wφ, avgpool(h)⟩ (Miyato & Koyama 2018) and ProGAN's minibatch-std channel, which is a calibrated constant at inference. Why: the projection lets the match score read the whole trunk, the std channel lets D judge variety against the real data's, and the constant keeps D's verdict on one image independent of its batch, since the game asks D about one image at a time (models/gan/networks.ts, models/tf/layers.ts).",
    ],
  },
  {
    title: 'The shipped G is a moving average of the trained one',
    body: [
      "G's weights are averaged (ProGAN/StyleGAN, half-life 10% of the steps so far, at most 300). Why: the trained G's probe swung by up to 16 points between checkpoints, and the average raised faithfulness from 83.9% to 91.9% (models/tf/ema.ts, models/README.md).",
    ],
  },
  {
    title: 'Difficulty is chosen by the neural D and the colours',
    body: [
      'For "easy" the device draws ten GAN fakes and keeps the one that looks least real; for "hard" the one that looks most real; "medium" is a single draw (diffusion draws three, and its step count adds to it). How real a draw looks is the neural D\'s verdict, for the GAN together with how far its colours stray from the data set\'s palette, each ranked among the draws (shared/render/realness.ts). Reed et al. have no such knob. Why: the truncation ψ used before only moved objects to the centre cell, so every level was caught by the same tells; D alone moved D\'s own verdicts but not the colour tells a student (or a script) can see. eval:models prints how well the neural D and simple pixel statistics catch each level.',
    ],
  },
  {
    title: 'The generator that plays back searches instead of learning',
    body: [
      'In the lecture G improves by gradient steps through D. In adversarial Spot the fake the class is D, and a class has no gradient: between rounds G runs an evolution strategy over its latent z, its truncation ψ and the caption, breeding the next fakes from the ones that fooled most of the class (shared/rounds/adversary.ts). Every fake’s caption also appears on a real image in the same round, so the captions G settles on are no tell. The minimax game is the same: the class maximises V(D, G), G minimises it, and both move.',
    ],
  },
  {
    title: 'S also learns from real images',
    body: [
      "On top of the lecture's ‖z − S(G(z, φ(t)))‖² on G's images, S regresses, with weight 3, the z that the data set's style labels fix for 64 real images a step; the object's dimensions are masked out. Why: the lecture's loss trains S only on G's images, but Restyle feeds it real ones. With G v7 all four style attributes were kept 44.9% of the time that way and 78.1% with the real term (models/style/real-targets.ts, models/style/trainer.ts, --real-weight).",
    ],
  },
  {
    title: 'Latent diffusion on a tiny autoencoder',
    body: [
      "32×32×3 images are encoded to an 8×8×4 latent by an autoencoder trained with L1 + L2 reconstruction, a little Gaussian noise on the latent and a light L2 pull towards 0. Rombach et al. regularise theirs with KL or VQ and add perceptual and adversarial losses. Why: a U-Net at 32×32 cost about 8 s a step on wasm and the 8×8 one about 0.5 s, and the latent noise makes the decoder tolerate the sampler's small errors (models/diffusion/README.md, models/diffusion/trainer.ts).",
    ],
  },
  {
    title: 'Per-channel latent normalisation',
    body: [
      "Diffusion runs on z₀ = (E(x) − m)/s, with a mean and a scale for each latent channel (latentNorm in the decoder's metadata). Stable Diffusion uses one scalar scale factor. Why: so that the schedule's unit-variance assumption holds (models/diffusion/README.md, models/diffusion/runtime.ts).",
    ],
  },
  {
    title: "Classifier-free guidance in GLIDE's form",
    body: [
      'The game computes ε̂ = ε(∅) + w(ε(c) − ε(∅)) (Nichol et al. 2022, also used by Imagen and diffusers). Ho & Salimans (2021) write ε̃ = (1 + w′)ε(c) − w′ε(∅), so w = 1 + w′, and the shipped w = 3 is their w′ = 2. In training a caption is replaced by the zero vector ("no caption") with p = 0.15, and at sampling both predictions come from one doubled batch. Why: w = 0 and w = 1 then give the unconditional and the plain conditional model bit for bit, and one pass of twice the batch is cheaper than two passes (shared/diffusion/guidance.ts, models/diffusion/trainer.ts).',
    ],
  },
  {
    title: 'DDIM with "trailing" timestep spacing',
    body: [
      'The update is Song et al.\'s (2021) eq. 12 with σ(η), η ∈ [0, 1]. The timesteps are tᵢ = round(i·T/count) counting down from T, the "trailing" spacing of Lin et al. (2024), rather than 1, 1 + T/count, … as the code describes Song et al.\'s. Why: the run starts at t = T, the only step where x ∼ N(0, I) is close to what the model saw in training, and every jump, including the last one to t = 0, is the same size (ddimTimesteps in shared/diffusion/samplers.ts).',
    ],
  },
  {
    title: 'Any schedule and any T at sampling time',
    body: [
      "The network is trained on linear β with T = 1000. At sampling, step t of any schedule (linear, cosine or drawn, T from 10 to 1000) is fed as the continuous training time τ with the same ᾱ, and for other T the linear schedule's ends are multiplied by 1000/T (Nichol & Dhariwal's practice). Why: the network only ever sees a noise level, and the rescaling keeps Σβ about the same, so ᾱ_T stays near 0 and x_T stays close to pure noise (trainingTimes in models/diffusion/runtime.ts, linearSchedule in shared/diffusion/schedule.ts).",
    ],
  },
  {
    title: 'x̂₀ clipping in the latent, only off the training schedule',
    body: [
      "Ho et al. clip x̂₀ to the image range [−1, 1]. The game's model clips x̂₀ to ±5 normalised latent units, and only when a schedule other than the training one is used; the shared samplers' clipX0 ([−1, 1]) is off by default. Why: the cosine schedule ends at ᾱ_T ≈ 2e-9, so the first step divides the model's ε error by √ᾱ_T and ruins every sample; on the training schedule, clipping made no measurable difference (shared/diffusion/clip-x0.ts, X0_BOUND in models/diffusion/runtime.ts).",
    ],
  },
  {
    title: 'A small U-Net without normalisation',
    body: [
      "Unlike Ho et al.'s network, the ε-network is a two-level U-Net of FiLM residual blocks with no GroupNorm or attention. Its residual branch ends are zero-initialised, φ is multiplied by 8 before its dense layer, and an EMA of the weights is shipped. Why: GroupNorm takes about 40% of a step on wasm; φ is unit-norm (entries ≈ 0.1) against time features ≈ 1, so ×8 lets Adam move the conditioning path as fast as the time path (models/diffusion/network.ts, models/diffusion/README.md).",
    ],
  },
  {
    title: 'Forward process on pixels, reverse process in the latent',
    body: [
      '"Guess the timestep" noises pixel images with x_t = √ᾱ_t x₀ + √(1−ᾱ_t) ε. The latent sampler\'s steps are shown as √ᾱ_t D(x̂₀) + √(1−ᾱ_t) ε_pix, with ε_pix fixed for the run. Why: players then see what the pixel-space forward process would look like at each step (noiseImage in shared/diffusion/forward.ts, "Pixel space for players" in models/diffusion/README.md).',
    ],
  },
  {
    title: 'Judge: the L_CLS weights are shown, not paid',
    body: [
      'Points are a log score of the probability the answer gave the truth, and the weights 1, ½, ½ appear at the reveal as what D\'s loss would make of the class\'s answers. Why: the weights belong to a loss, not a reward, and as points (200/100/100) they made "real & matching" the best pick whenever it was half as likely as another verdict (shared/rounds/judge-round.ts).',
    ],
  },
  {
    title: 'Guess the timestep is drawn and scored in log-SNR',
    body: [
      'Noise levels are drawn uniformly in λ = ln(ᾱ/(1−ᾱ)) ∈ [−3, 5] rather than uniformly in t, and closeness is measured in λ. Why: every image is then still readable (README.md, "Rounds"; shared/rounds/timestep-round.ts).',
    ],
  },
];
