<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>QObject</name>
    <message>
        <location filename="../../ui/chartexport.cpp" line="26"/>
        <location filename="../../ui/chartexport.cpp" line="129"/>
        <location filename="../../ui/chartexport.cpp" line="173"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location filename="../../ui/chartexport.cpp" line="124"/>
        <source>the chart has no size to draw</source>
        <translation>图表尺寸为零，无法绘制</translation>
    </message>
    <message>
        <location filename="../../ui/chartexport.cpp" line="145"/>
        <source>%1: the PNG could not be encoded</source>
        <translation>%1：无法编码 PNG 图像</translation>
    </message>
    <message>
        <location filename="../../ui/chartexport.cpp" line="198"/>
        <location filename="../../ui/chartexport.cpp" line="211"/>
        <source>%1: the folder cannot be created</source>
        <translation>%1：无法创建文件夹</translation>
    </message>
</context>
<context>
    <name>nsui::ExperimentPanel</name>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="94"/>
        <source>Adam&apos;s decay rates for the running mean of the gradient and of its square.</source>
        <translation>Adam 中梯度的滑动平均与梯度平方的滑动平均各自的衰减率。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="109"/>
        <source>Adam betas</source>
        <translation>Adam β 值</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="130"/>
        <source>The experiment&apos;s name, shown in the title bar and written to its files.</source>
        <translation>实验名称，显示在标题栏中，并写入实验的文件。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="132"/>
        <source>Experiment</source>
        <translation>实验</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="139"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="142"/>
        <source>Layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="142"/>
        <source>How many encoder layers are stacked (L).</source>
        <translation>堆叠多少个编码器层（L）。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="143"/>
        <source>d_model</source>
        <translation>d_model</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="143"/>
        <source>The width of every token&apos;s vector (D); heads must divide it.</source>
        <translation>每个词元向量的维度（D）；必须能被注意力头数整除。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="144"/>
        <source>Heads</source>
        <translation>注意力头数</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="144"/>
        <source>Attention heads per layer; each head works on d_model / heads features.</source>
        <translation>每层的注意力头数；每个头处理 d_model / 头数 个特征。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="145"/>
        <source>d_ff</source>
        <translation>d_ff</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="145"/>
        <source>The hidden width of the position-wise feed-forward network (F).</source>
        <translation>逐位置前馈网络的隐藏层宽度（F）。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="146"/>
        <source>Vocabulary</source>
        <translation>词表大小</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="146"/>
        <source>How many different tokens there are (V).</source>
        <translation>一共有多少种不同的词元（V）。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="147"/>
        <source>Max length</source>
        <translation>最大长度</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="147"/>
        <source>The longest sequence the positional encoding covers.</source>
        <translation>位置编码能覆盖的最长序列长度。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="148"/>
        <source>Norm</source>
        <translation>归一化方式</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="149"/>
        <source>Which normalization every norm site uses: LayerNorm, the tutorial variant with unbiased std, RMSNorm, BatchNorm, DyT or none.</source>
        <translation>每个归一化层采用哪种归一化：层归一化（LayerNorm）、教程里使用无偏标准差的变体（layernorm_std）、RMSNorm、批归一化（BatchNorm）、DyT，或者不做归一化（none）。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="151"/>
        <source>Placement</source>
        <translation>归一化位置</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="152"/>
        <source>Where the norms sit: after the residual add (post), before each sublayer (pre), on both sides (sandwich), or post with DeepNorm scaling.</source>
        <translation>归一化放在哪里：残差相加之后（post）、每个子层之前（pre）、子层前后各放一个（sandwich），或者带 DeepNorm 缩放的 post（deepnorm）。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="154"/>
        <source>Final norm</source>
        <translation>最终归一化</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="155"/>
        <source>A norm after the last layer; auto means on for pre and sandwich, off otherwise.</source>
        <translation>最后一层之后的归一化；auto 表示在 pre 和 sandwich 时开启，其他情况关闭。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="156"/>
        <source>Embedding norm</source>
        <translation>嵌入归一化</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="157"/>
        <source>Normalize token embedding plus positional encoding before the first layer.</source>
        <translation>在第一层之前，对词元嵌入与位置编码之和做归一化。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="158"/>
        <source>Residual connections</source>
        <translation>残差连接</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="159"/>
        <source>Add each sublayer&apos;s input to its output (switch off to see why deep stacks need it).</source>
        <translation>把每个子层的输入加到它的输出上（关掉它，就能看到深层网络为什么离不开残差连接）。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="160"/>
        <source>Positional encoding</source>
        <translation>位置编码</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="161"/>
        <source>How positions are added to the token embedding, once, before the first layer.</source>
        <translation>位置信息以什么方式加到词元嵌入上（只在第一层之前加一次）。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="162"/>
        <source>Embedding scale</source>
        <translation>嵌入缩放</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="163"/>
        <source>Multiply the token embedding by 1 (none) or by sqrt(d_model) as in the original Transformer.</source>
        <translation>词元嵌入乘以 1（none），或像原始 Transformer 那样乘以 sqrt(d_model)（sqrt_d）。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="164"/>
        <source>Activation</source>
        <translation>激活函数</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="164"/>
        <source>The feed-forward network&apos;s non-linearity.</source>
        <translation>前馈网络中的非线性激活函数。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="165"/>
        <source>eps</source>
        <translation>eps</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="165"/>
        <source>The small constant that keeps the norm&apos;s division finite.</source>
        <translation>防止归一化时除以零的小常数（ε）。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="166"/>
        <source>Causal mask</source>
        <translation>因果掩码</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="166"/>
        <source>Each position attends only to itself and earlier positions.</source>
        <translation>每个位置只关注它自己和它前面的位置。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="167"/>
        <source>Dropout</source>
        <translation>随机失活</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="167"/>
        <source>Probability of zeroing each sublayer output element during training (0 = off).</source>
        <translation>训练时把子层输出的每个元素置零的概率（0 = 关闭）。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="168"/>
        <source>Initialisation</source>
        <translation>初始化</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="169"/>
        <source>Xavier (Glorot normal) for every matrix, or PyTorch&apos;s own defaults.</source>
        <translation>所有矩阵都用 Xavier（Glorot 正态）初始化（xavier），或者用 PyTorch 自带的默认初始化（torch）。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="170"/>
        <source>DyT alpha</source>
        <translation>DyT α</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="170"/>
        <source>The starting value of DyT&apos;s learned scale inside tanh(alpha x).</source>
        <translation>DyT 中 tanh(αx) 里可学习的缩放系数 α 的初始值。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="173"/>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="176"/>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="177"/>
        <source>What the model learns: reverse, sort or copy the sequence, count each token (histogram), or predict the next character of a text.</source>
        <translation>模型要学的任务：把序列反转（reverse）、排序（sort）或复制（copy），统计每个词元出现的次数（histogram），或者预测一段文本的下一个字符（text）。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="179"/>
        <source>Text file</source>
        <translation>文本文件</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="179"/>
        <source>The UTF-8 text for the text task, relative to the experiment file.</source>
        <translation>text 任务所用的 UTF-8 文本文件，路径相对于实验文件。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="180"/>
        <source>Sequence length</source>
        <translation>序列长度</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="180"/>
        <source>Tokens per training sequence (T).</source>
        <translation>每条训练序列的词元数（T）。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="181"/>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="181"/>
        <source>Sequences per training step (B); BatchNorm&apos;s statistics come from B x T positions.</source>
        <translation>每个训练步使用的序列条数（B）；批归一化（BatchNorm）的统计量来自 B × T 个位置。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="182"/>
        <source>Steps</source>
        <translation>训练步数</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="182"/>
        <source>How many updates to train for.</source>
        <translation>一共训练多少次参数更新。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="183"/>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="183"/>
        <source>Fixes the initial weights and every batch: same seed, same numbers.</source>
        <translation>决定初始权重和每一批数据：种子相同，结果就完全相同。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="184"/>
        <source>Optimizer</source>
        <translation>优化器</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="185"/>
        <source>SGD with momentum, Adam (L2 decay in the gradient) or AdamW (decoupled weight decay).</source>
        <translation>带动量的 SGD、Adam（L2 衰减加在梯度里）或 AdamW（解耦的权重衰减）。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="186"/>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="186"/>
        <source>The peak learning rate, reached after warmup.</source>
        <translation>学习率的峰值，预热结束时达到。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="188"/>
        <source>Adam eps</source>
        <translation>Adam eps</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="188"/>
        <source>Added to Adam&apos;s denominator to keep it away from zero.</source>
        <translation>加在 Adam 更新量的分母上，使分母不会接近零。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="189"/>
        <source>Momentum</source>
        <translation>动量</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="189"/>
        <source>SGD&apos;s momentum factor.</source>
        <translation>SGD 的动量系数。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="190"/>
        <source>Weight decay</source>
        <translation>权重衰减</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="190"/>
        <source>Pulls weights towards zero at every step (0 = off).</source>
        <translation>每一步都把权重往零拉一点（0 = 关闭）。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="191"/>
        <source>Warmup steps</source>
        <translation>预热步数</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="191"/>
        <source>The learning rate rises linearly from 0 to its peak over these steps.</source>
        <translation>在这些步里，学习率从 0 线性升到峰值。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="192"/>
        <source>Schedule</source>
        <translation>学习率调度</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="193"/>
        <source>After warmup: constant, linear or cosine decay, or inverse square root (Noam).</source>
        <translation>预热之后学习率如何变化：保持不变（constant）、线性衰减（linear）、余弦衰减（cosine），或按平方根倒数衰减（inverse_sqrt，即 Noam 调度）。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="195"/>
        <source>Final lr ratio</source>
        <translation>最终学习率比例</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="195"/>
        <source>Where linear and cosine decay end, as a fraction of the peak.</source>
        <translation>线性衰减和余弦衰减结束时的学习率，占峰值的比例。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="196"/>
        <source>Gradient clipping</source>
        <translation>梯度裁剪</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="196"/>
        <source>Scale the gradient down when its global norm exceeds this (0 = off).</source>
        <translation>梯度的全局范数超过这个值时，把梯度按比例缩小（0 = 关闭）。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="197"/>
        <source>Evaluate every</source>
        <translation>评估间隔</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="197"/>
        <source>Steps between evaluations on the fixed validation set.</source>
        <translation>每隔多少步在固定的验证集上评估一次。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="198"/>
        <source>Probe every</source>
        <translation>探测间隔</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="198"/>
        <source>Steps between recordings of norm statistics and gradient norms.</source>
        <translation>每隔多少步记录一次归一化统计量和梯度范数。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="199"/>
        <source>Validation batches</source>
        <translation>验证批次数</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="199"/>
        <source>Size of the fixed validation set, in batches.</source>
        <translation>固定验证集的大小，以批为单位。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="204"/>
        <source>Runs</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="208"/>
        <source>Each run is the settings above with its own overrides; double-click a name to rename it.</source>
        <translation>每个运行都在共同设置的基础上使用自己的覆盖项；双击名称可以重命名。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="214"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="215"/>
        <source>Duplicate</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="216"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="217"/>
        <source>Add a run with no overrides.</source>
        <translation>添加一个没有覆盖项的运行。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="218"/>
        <source>Copy the selected run and its overrides.</source>
        <translation>复制选中的运行及其覆盖项。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="219"/>
        <source>Remove the selected run.</source>
        <translation>删除选中的运行。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="225"/>
        <source>Overrides of the selected run (JSON):</source>
        <translation>选中运行的覆盖项（JSON）：</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="229"/>
        <source>Settings that differ in this run, e.g. {&quot;model&quot;: {&quot;placement&quot;: &quot;pre&quot;}}.</source>
        <translation>这个运行中与共同设置不同的项，例如 {&quot;model&quot;: {&quot;placement&quot;: &quot;pre&quot;}}。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="326"/>
        <source>must be a whole number from 0 to 18446744073709551615</source>
        <translation>必须是 0 到 18446744073709551615 之间的整数</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="331"/>
        <source>is empty: a whole number is needed</source>
        <translation>不能为空：需要一个整数</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="331"/>
        <source>&apos;%1&apos; is not a whole number</source>
        <translation>“%1”不是整数</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="342"/>
        <source>is empty: a number is needed</source>
        <translation>不能为空：需要一个数</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="342"/>
        <source>&apos;%1&apos; is not a number</source>
        <translation>“%1”不是数</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="363"/>
        <source>two numbers are needed</source>
        <translation>需要两个数</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="399"/>
        <source>Not applied, the last valid settings stay in use:</source>
        <translation>未应用，仍沿用上一次有效的设置：</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="402"/>
        <source>Not applied: fix the field marked in red; the last valid settings stay in use.</source>
        <translation>未应用：请修改标红的字段；仍沿用上一次有效的设置。</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="445"/>
        <source>the overrides are not valid JSON: %1</source>
        <translation>覆盖项不是有效的 JSON：%1</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="472"/>
        <source>Run %1</source>
        <translation>运行 %1</translation>
    </message>
    <message>
        <location filename="../../ui/experimentpanel.cpp" line="478"/>
        <source> copy</source>
        <translation> 副本</translation>
    </message>
</context>
<context>
    <name>nsui::GradNormChart</name>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="117"/>
        <source>Parameters</source>
        <translation>参数</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="120"/>
        <source>all parameters</source>
        <translation>全部参数</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="121"/>
        <source>attention in</source>
        <translation>注意力输入投影</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="122"/>
        <source>attention out</source>
        <translation>注意力输出投影</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="123"/>
        <source>FFN 1</source>
        <translation>前馈第 1 层</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="124"/>
        <source>FFN 2</source>
        <translation>前馈第 2 层</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="125"/>
        <source>norms</source>
        <translation>归一化层</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="126"/>
        <source>Which tensors of each layer the gradient norm covers</source>
        <translation>梯度范数统计每层中的哪些张量</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="128"/>
        <source>Log scale</source>
        <translation>对数坐标</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="130"/>
        <source>Show gradient norms on a logarithmic axis</source>
        <translation>用对数坐标轴显示梯度范数</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="152"/>
        <source>layer (input side → output side)</source>
        <translation>层（输入端 → 输出端）</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="155"/>
        <location filename="../../ui/gradnormchart.cpp" line="213"/>
        <source>gradient L2 norm</source>
        <translation>梯度 L2 范数</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="157"/>
        <location filename="../../ui/gradnormchart.cpp" line="215"/>
        <source>gradient L2 norm (log scale)</source>
        <translation>梯度 L2 范数（对数坐标）</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="174"/>
        <source>Which probe to show (probes are taken every few steps)</source>
        <translation>显示哪一次探测（每隔几步探测一次）</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="178"/>
        <location filename="../../ui/gradnormchart.cpp" line="389"/>
        <source>step %1</source>
        <translation>第 %1 步</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="179"/>
        <source>At initialisation</source>
        <translation>初始化时</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="181"/>
        <source>Show the gradients of the untrained model (step 0)</source>
        <translation>显示未训练模型的梯度（第 0 步）</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="187"/>
        <source>Across layers, at one step</source>
        <translation>某一步的各层对比</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="196"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="199"/>
        <source>Whose layers to show</source>
        <translation>显示哪个运行的各层</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="211"/>
        <source>step (updates)</source>
        <translation>训练步（参数更新次数）</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="224"/>
        <source>Each layer, over training</source>
        <translation>各层随训练的变化</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="347"/>
        <source>%1 / head</source>
        <translation>%1 / 输出头</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="348"/>
        <location filename="../../ui/gradnormchart.cpp" line="364"/>
        <location filename="../../ui/gradnormchart.cpp" line="447"/>
        <location filename="../../ui/gradnormchart.cpp" line="536"/>
        <source>head</source>
        <translation>输出头</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="352"/>
        <location filename="../../ui/gradnormchart.cpp" line="374"/>
        <location filename="../../ui/gradnormchart.cpp" line="447"/>
        <location filename="../../ui/gradnormchart.cpp" line="536"/>
        <source>embedding</source>
        <translation>嵌入层</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="389"/>
        <source>no probes yet</source>
        <translation>尚无探测数据</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="412"/>
        <source>%1 (diverged at step %2)</source>
        <translation>%1（在第 %2 步发散）</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="419"/>
        <source>Gradient norm of %1 in each layer at step %2</source>
        <translation>第 %2 步时各层%1的梯度范数</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="420"/>
        <source>Gradient norm of %1 in each layer</source>
        <translation>各层%1的梯度范数</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="422"/>
        <source>Not probed at step %1: %2.</source>
        <translation>第 %1 步没有探测数据：%2。</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="424"/>
        <source>Nothing to show for %1 (no %2, or not finite).</source>
        <translation>%1 没有可显示的数据（没有%2，或数值不是有限值）。</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="447"/>
        <location filename="../../ui/gradnormchart.cpp" line="536"/>
        <source>layer %1</source>
        <translation>第 %1 层</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="479"/>
        <source>Gradient norm of %1 in each layer of %2</source>
        <translation>%2 各层%1的梯度范数</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="531"/>
        <source>%1, step %2, gradient norm %3</source>
        <translation>%1，第 %2 步，梯度范数 %3</translation>
    </message>
    <message>
        <location filename="../../ui/gradnormchart.cpp" line="537"/>
        <source>%1, %2, gradient norm %3</source>
        <translation>%1，%2，梯度范数 %3</translation>
    </message>
</context>
<context>
    <name>nsui::HeatmapWidget</name>
    <message>
        <location filename="../../ui/heatmap.cpp" line="186"/>
        <source>no data yet</source>
        <translation>暂无数据</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="279"/>
        <source>%1, log scale</source>
        <translation>%1，对数刻度</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="307"/>
        <source>no value</source>
        <translation>无数值</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="308"/>
        <source>%1: %2
%3: %4
%5: %6</source>
        <translation>%1：%2
%3：%4
%5：%6</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="309"/>
        <source>row</source>
        <translation>行</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="310"/>
        <source>column</source>
        <translation>列</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="311"/>
        <source>value</source>
        <translation>值</translation>
    </message>
</context>
<context>
    <name>nsui::LayerNormFormulaView</name>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="378"/>
        <source>&amp;Run:</source>
        <translation>运行(&amp;R)：</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="379"/>
        <source>Which run of the experiment to take the numbers from</source>
        <translation>从实验的哪个运行中取数值</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="380"/>
        <source>&amp;Norm:</source>
        <translation>归一化层(&amp;N)：</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="381"/>
        <source>Which norm of the model: norm1 sits at the attention sublayer, norm2 at the feed-forward one</source>
        <translation>看模型中的哪个归一化层：norm1 位于注意力子层，norm2 位于前馈子层</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="382"/>
        <source>&amp;Layer:</source>
        <translation>层(&amp;L)：</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="383"/>
        <source>Which layer of the stack (0 is the first)</source>
        <translation>堆叠中的第几层（0 为第一层）</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="384"/>
        <source>&amp;Position:</source>
        <translation>位置(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="385"/>
        <source>Which position of the first training sequence; hovering a row of the grid picks it too</source>
        <translation>第一条训练序列中的哪个位置；把鼠标悬停在网格的某一行上也能选中它</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="386"/>
        <source>&amp;Feature:</source>
        <translation>特征(&amp;F)：</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="387"/>
        <source>Which feature the worked line computes; hovering a column or a bar picks it too</source>
        <translation>代入数值的那一行计算哪个特征；把鼠标悬停在某一列或某个柱条上也能选中它</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="388"/>
        <source>&amp;Weights:</source>
        <translation>权重(&amp;W)：</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="389"/>
        <location filename="../../ui/layernormformulaview.cpp" line="519"/>
        <source>at initialisation (step 0)</source>
        <translation>初始化时（第 0 步）</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="390"/>
        <source>latest probe</source>
        <translation>最近一次探测</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="391"/>
        <source>Numbers from the untrained model, or from the most recent probe while or after training</source>
        <translation>数值取自未训练的模型，或取自训练中、训练后最近的一次探测</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="392"/>
        <location filename="../../ui/layernormformulaview.cpp" line="500"/>
        <source>No numbers yet. Press Run to train the lesson&apos;s experiment: the first probe, at step 0, fills this view with the engine&apos;s own numbers.</source>
        <translation>还没有数值。按“运行”训练本课的实验：第 0 步的第一次探测就会用引擎自己算出的数值填满这个视图。</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="477"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="498"/>
        <source>This run has no %1 in layer %2. Pick another norm or layer.</source>
        <translation>这个运行在第 %2 层没有 %1。请换一个归一化层或换一层。</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="518"/>
        <source>%1 in layer %2</source>
        <translation>第 %2 层的 %1</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="519"/>
        <source>after %1 training steps</source>
        <translation>训练 %1 步之后</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="520"/>
        <source>&lt;b&gt;%1&lt;/b&gt;: %2, %3, position %4 of the first training sequence.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;：%2，%3，第一条训练序列的位置 %4。</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="546"/>
        <source>first 8 of %1</source>
        <translation>共 %1 个，显示前 8 个</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="592"/>
        <source>The variance divides by D = %1, not D − 1: the biased variance, as nn.LayerNorm computes it. x_hat always ends up with mean 0 and variance just under 1 (σ² / (σ² + ε)); γ and β then give each feature the scale and offset the model learned.</source>
        <translation>方差除以的是 D = %1，而不是 D − 1：这是有偏方差，和 nn.LayerNorm 的算法一样。x_hat 最后的均值总是 0，方差略小于 1（σ² / (σ² + ε)）；随后 γ 和 β 再给每个特征加上模型学到的缩放和偏移。</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="616"/>
        <source>The tutorial variant (layernorm_std), as printed in one course note: the unbiased standard deviation (dividing by D − 1 = %1) with ε outside the root. nn.LayerNorm divides by √(σ² + ε) with the biased variance instead, so this x_hat is smaller by about √(%1/%2) and its variance is about %1/%2 = %3 rather than 1.</source>
        <translation>教程变体（layernorm_std），也就是一篇课程笔记里印出的写法：用无偏标准差（除以 D − 1 = %1），并把 ε 加在根号外面。nn.LayerNorm 则是用有偏方差、除以 √(σ² + ε)，所以这里的 x_hat 约为它的 √(%1/%2) 倍，方差约为 %1/%2 = %3，而不是 1。</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="656"/>
        <source>DyT (Dynamic Tanh) computes no mean and no variance at all: each feature is squashed on its own, so nothing holds x_hat at mean 0 and variance 1.</source>
        <translation>DyT（动态 tanh）完全不计算均值和方差：每个特征各自被压缩，所以没有任何东西把 x_hat 保持在均值 0、方差 1。</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="523"/>
        <source>The sequence entering the norm: one row per position (T = %1), one column per feature (D = %2), blue negative, orange positive.</source>
        <translation>进入归一化层的序列：每个位置一行（T = %1），每个特征一列（D = %2），蓝色为负，橙色为正。</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="530"/>
        <source>BatchNorm works down a column, over every sequence of the batch, not only this one.</source>
        <translation>批归一化（BatchNorm）沿着一列计算，覆盖这一批中的所有序列，不只是这一条。</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="533"/>
        <source>DyT works on each cell on its own; hover a row to pick a position.</source>
        <translation>DyT 对每个格子单独计算；把鼠标悬停在某一行上即可选中这个位置。</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="536"/>
        <source>Nothing is computed here; hover a row to pick a position.</source>
        <translation>这里不做任何计算；把鼠标悬停在某一行上即可选中这个位置。</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="539"/>
        <source>The norm works on one row at a time; hover a row to pick it.</source>
        <translation>归一化每次只处理一行；把鼠标悬停在某一行上即可选中它。</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="559"/>
        <source>the vector entering the norm (%1)</source>
        <translation>进入归一化层的向量（%1）</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="561"/>
        <source>the vector leaving the norm, as the engine computed it (%1); over its %2 features: mean &lt;b&gt;%3&lt;/b&gt;, variance &lt;b&gt;%4&lt;/b&gt;</source>
        <translation>离开归一化层的向量，即引擎算出的结果（%1）；在它的 %2 个特征上：均值 &lt;b&gt;%3&lt;/b&gt;，方差 &lt;b&gt;%4&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="567"/>
        <source>learned gain, one per feature (starts at 1)</source>
        <translation>可学习的增益，每个特征一个（初始为 1）</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="569"/>
        <source>learned bias, one per feature (starts at 0)</source>
        <translation>可学习的偏置，每个特征一个（初始为 0）</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="577"/>
        <location filename="../../ui/layernormformulaview.cpp" line="600"/>
        <source>mean of x over its %1 features = &lt;b&gt;%2&lt;/b&gt;</source>
        <translation>x 在它的 %1 个特征上的均值 = &lt;b&gt;%2&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="579"/>
        <source>variance of x over its %1 features, dividing by %1 (biased) = &lt;b&gt;%2&lt;/b&gt;</source>
        <translation>x 在它的 %1 个特征上的方差，除以 %1（有偏）= &lt;b&gt;%2&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="580"/>
        <location filename="../../ui/layernormformulaview.cpp" line="628"/>
        <source>a small constant so that the division is always safe = &lt;b&gt;%1&lt;/b&gt;</source>
        <translation>保证除法始终安全的小常数 = &lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="581"/>
        <source>the standard deviation x is divided by = &lt;b&gt;%1&lt;/b&gt;</source>
        <translation>x 要除以的标准差 = &lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="583"/>
        <source>(x − μ) / √(σ² + ε), normalized: mean &lt;b&gt;%1&lt;/b&gt;, variance &lt;b&gt;%2&lt;/b&gt;</source>
        <translation>(x − μ) / √(σ² + ε)，归一化之后：均值 &lt;b&gt;%1&lt;/b&gt;，方差 &lt;b&gt;%2&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="602"/>
        <source>unbiased standard deviation of x, dividing by %1 = &lt;b&gt;%2&lt;/b&gt; (the biased one is %3)</source>
        <translation>x 的无偏标准差，除以 %1 = &lt;b&gt;%2&lt;/b&gt;（有偏标准差为 %3）</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="605"/>
        <source>added outside the square root = &lt;b&gt;%1&lt;/b&gt;</source>
        <translation>加在根号外面 = &lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="606"/>
        <source>what x − μ is divided by = &lt;b&gt;%1&lt;/b&gt;</source>
        <translation>x − μ 要除以的数 = &lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="608"/>
        <source>(x − μ) / (s + ε): mean &lt;b&gt;%1&lt;/b&gt;, variance &lt;b&gt;%2&lt;/b&gt;</source>
        <translation>(x − μ) / (s + ε)：均值 &lt;b&gt;%1&lt;/b&gt;，方差 &lt;b&gt;%2&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="627"/>
        <source>mean of the squares of x over its %1 features = &lt;b&gt;%2&lt;/b&gt;</source>
        <translation>x 在它的 %1 个特征上的平方的均值 = &lt;b&gt;%2&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="629"/>
        <source>√(mean(x²) + ε), the root mean square x is divided by = &lt;b&gt;%1&lt;/b&gt;</source>
        <translation>√(mean(x²) + ε)，即 x 要除以的均方根 = &lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="631"/>
        <source>x / rms: mean &lt;b&gt;%1&lt;/b&gt; (not forced to 0), variance &lt;b&gt;%2&lt;/b&gt;</source>
        <translation>x / rms：均值 &lt;b&gt;%1&lt;/b&gt;（不强制为 0），方差 &lt;b&gt;%2&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="638"/>
        <source>RMSNorm groups the numbers like LayerNorm (one position, its D features) but subtracts no mean and has no β: the mean of x (here %1) is scaled, not removed.</source>
        <translation>RMSNorm 的分组方式和层归一化（LayerNorm）相同（一个位置的 D 个特征），但不减去均值，也没有 β：x 的均值（这里是 %1）只是被缩放，并没有被去掉。</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="645"/>
        <source>one learned scalar for the whole norm (starts at 0.5 by default) = &lt;b&gt;%1&lt;/b&gt;</source>
        <translation>整个归一化层共用的一个可学习标量（默认初始为 0.5）= &lt;b&gt;%1&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="647"/>
        <source>tanh(α · x), squashed into (−1, 1) one feature at a time: mean &lt;b&gt;%1&lt;/b&gt;, variance &lt;b&gt;%2&lt;/b&gt;</source>
        <translation>tanh(α · x)，逐个特征压缩到 (−1, 1) 之间：均值 &lt;b&gt;%1&lt;/b&gt;，方差 &lt;b&gt;%2&lt;/b&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="665"/>
        <source>BatchNorm takes μ_d and σ_d² for each feature d over all B × T positions of the batch (in evaluation mode, running averages kept during training), not over this position&apos;s features. NormScope keeps only the first sequence, so y cannot be recomputed here. Over this position&apos;s %1 features, y has mean %2 and variance %3: BatchNorm does not make them 0 and 1.</source>
        <translation>批归一化（BatchNorm）对每个特征 d，在这一批全部 B × T 个位置上求 μ_d 和 σ_d²（评估模式下改用训练时维护的滑动平均），而不是在这个位置的各个特征上求。NormScope 只保存了第一条序列，所以这里无法重新算出 y。在这个位置的 %1 个特征上，y 的均值为 %2，方差为 %3：批归一化并不会让它们变成 0 和 1。</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="676"/>
        <source>No normalization at this site: the vector passes through unchanged.</source>
        <translation>这里没有归一化：向量原样通过。</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="680"/>
        <source>   (engine: %1)</source>
        <translation>   （引擎：%1）</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="698"/>
        <source>The formula for feature %1 with the numbers filled in</source>
        <translation>特征 %1 代入数值后的公式</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="719"/>
        <source>Check: not available for BatchNorm from one position.</source>
        <translation>校验：批归一化（BatchNorm）无法只凭一个位置校验。</translation>
    </message>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="722"/>
        <source>Check: y recomputed here from the numbers above matches the engine&apos;s y to within &lt;b&gt;%1&lt;/b&gt; (the largest difference over all %2 features; the engine works in 32-bit floats).</source>
        <translation>校验：用上面的数值在这里重新算出的 y 与引擎的 y 相差不超过 &lt;b&gt;%1&lt;/b&gt;（取全部 %2 个特征上的最大差值；引擎用 32 位浮点数计算）。</translation>
    </message>
</context>
<context>
    <name>nsui::LessonPanel</name>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="201"/>
        <source>&amp;Lesson:</source>
        <translation>课程(&amp;L)：</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="202"/>
        <source>Choose a lesson: its experiment is loaded and its first step shown</source>
        <translation>选择一节课：会载入它的实验并显示第一步</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="204"/>
        <source>Predict first</source>
        <translation>先做预测</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="205"/>
        <source>Commit to an answer before you run: guessing wrong and seeing why is how the lesson sticks</source>
        <translation>运行之前先选定一个答案：猜错了再弄明白为什么，才记得牢</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="206"/>
        <source>Check my prediction</source>
        <translation>核对我的预测</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="207"/>
        <source>Reveal whether your prediction was right, and why</source>
        <translation>揭晓你的预测是否正确，以及原因</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="208"/>
        <source>← Back</source>
        <translation>← 上一步</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="209"/>
        <source>The previous step</source>
        <translation>上一步</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="210"/>
        <source>▶ Run the experiment</source>
        <translation>▶ 运行实验</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="211"/>
        <source>The next step</source>
        <translation>下一步</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="319"/>
        <source>The lessons could not be read.</source>
        <translation>无法读取课程。</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="392"/>
        <source>Pick this answer</source>
        <translation>选择这个答案</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="446"/>
        <source>Next lesson →</source>
        <translation>下一课 →</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="446"/>
        <source>Next →</source>
        <translation>下一步 →</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="448"/>
        <source>Step %1 of %2</source>
        <translation>第 %1 步，共 %2 步</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="453"/>
        <source>Pick a prediction first</source>
        <translation>请先选择一个预测</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="453"/>
        <source>Train this lesson&apos;s experiment</source>
        <translation>训练本课的实验</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="467"/>
        <source>This lesson&apos;s experiment cannot be read: %1</source>
        <translation>无法读取本课的实验：%1</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="478"/>
        <source>The lesson&apos;s experiment is loaded; nothing trained yet.</source>
        <translation>本课的实验已载入，还没有训练。</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="479"/>
        <source>Training: step %1 of %2</source>
        <translation>训练中：第 %1 步，共 %2 步</translation>
    </message>
    <message>
        <location filename="../../ui/lessonpanel.cpp" line="480"/>
        <source>Trained: all %1 steps done.</source>
        <translation>训练完成：全部 %1 步都已完成。</translation>
    </message>
</context>
<context>
    <name>nsui::MainWindow</name>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="61"/>
        <source>Training stopped</source>
        <translation>训练已停止</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="88"/>
        <source>Training curves</source>
        <translation>训练曲线</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="89"/>
        <source>Norm statistics</source>
        <translation>归一化统计</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="90"/>
        <source>Gradient norms</source>
        <translation>梯度范数</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="91"/>
        <source>Heatmaps</source>
        <translation>热力图</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="92"/>
        <source>Loss and accuracy of every run, step by step.</source>
        <translation>每个运行在每一步的损失和准确率。</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="93"/>
        <source>Mean and variance of each position&apos;s vector entering and leaving a norm.</source>
        <translation>每个位置的向量进入和离开归一化层时的均值与方差。</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="94"/>
        <source>Gradient norm per layer and per parameter group.</source>
        <translation>按层、按参数组统计的梯度范数。</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="95"/>
        <source>Variance entering each norm by layer and position; residual-stream RMS by layer.</source>
        <translation>进入各归一化层的方差（按层和位置）；残差流的 RMS（按层）。</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="107"/>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="109"/>
        <source>Show this experiment and its results as they were last saved.</source>
        <translation>按上次保存时的样子显示这个实验及其结果。</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="110"/>
        <source>Discard</source>
        <translation>丢弃</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="112"/>
        <source>Forget it. A headless run&apos;s own output folder is kept.</source>
        <translation>不再提示。无界面训练自己的输出文件夹会保留。</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="128"/>
        <source>Experiment</source>
        <translation>实验</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="137"/>
        <source>Lessons</source>
        <translation>课程</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="211"/>
        <location filename="../../ui/mainwindow.cpp" line="367"/>
        <source>NormScope — %1</source>
        <translation>NormScope — %1</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="220"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="221"/>
        <source>&amp;Open experiment...</source>
        <translation>打开实验(&amp;O)...</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="223"/>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="225"/>
        <source>&amp;Save experiment as...</source>
        <translation>实验另存为(&amp;S)...</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="227"/>
        <source>Open the &amp;built-in experiment</source>
        <translation>打开内置实验(&amp;B)</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="233"/>
        <source>Post-LN vs Pre-LN, the experiment NormScope opens with.</source>
        <translation>Post-LN 对比 Pre-LN，即 NormScope 启动时打开的实验。</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="235"/>
        <source>&amp;Export chart...</source>
        <translation>导出图表(&amp;E)...</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="237"/>
        <source>The chart on screen as PNG, SVG or PDF, or its data as CSV.</source>
        <translation>把当前显示的图表导出为 PNG、SVG 或 PDF，或把它的数据导出为 CSV。</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="238"/>
        <source>Export &amp;all...</source>
        <translation>全部导出(&amp;A)...</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="239"/>
        <source>A folder with the experiment, every CSV and every chart, which NormScope reopens.</source>
        <translation>导出到一个文件夹：包含实验、全部 CSV 和全部图表，NormScope 可以重新打开它。</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="241"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="243"/>
        <source>&amp;Training</source>
        <translation>训练(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="244"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="246"/>
        <source>Train every run, or continue after a pause (Space)</source>
        <translation>训练所有运行，或在暂停后继续（空格键）</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="247"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="249"/>
        <source>Pause after the current step (Space)</source>
        <translation>当前这一步结束后暂停（空格键）</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="250"/>
        <source>Step</source>
        <translation>单步</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="253"/>
        <source>Train exactly one more step (Ctrl+.)</source>
        <translation>再训练一步（Ctrl+.）</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="254"/>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="257"/>
        <source>Stop and go back to the initial weights (Ctrl+R)</source>
        <translation>停止训练并回到初始权重（Ctrl+R）</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="258"/>
        <source>Run / pause</source>
        <translation>运行 / 暂停</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="273"/>
        <source>Run controls</source>
        <translation>运行控制</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="283"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="284"/>
        <source>&amp;Presentation mode</source>
        <translation>演示模式(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="289"/>
        <source>Full screen, large type and thick lines for a class (F11; Esc leaves)</source>
        <translation>全屏、大字号、粗线条，适合课堂演示（F11；按 Esc 退出）</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="296"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="298"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="317"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="318"/>
        <source>&amp;About NormScope</source>
        <translation>关于 NormScope(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="334"/>
        <source>%v / %m steps</source>
        <translation>%v / %m 步</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="349"/>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="349"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="350"/>
        <source>Preparing</source>
        <translation>准备中</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="350"/>
        <source>Preparing (will start paused)</source>
        <translation>准备中（开始后暂停）</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="351"/>
        <source>Training</source>
        <translation>训练中</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="352"/>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="353"/>
        <source>Finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="354"/>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="458"/>
        <source>diverged at step %1 (%2)</source>
        <translation>在第 %1 步发散（%2）</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="460"/>
        <source>step %1</source>
        <translation>第 %1 步</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="461"/>
        <source> · loss %1</source>
        <translation> · 损失 %1</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="464"/>
        <source> · %1 steps/s · ETA %2 s</source>
        <translation> · %1 步/秒 · 预计还需 %2 秒</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="502"/>
        <source>A headless training of %1 was interrupted (saved at %2, step %3 of %4; files in %5).</source>
        <translation>%1 的无界面训练被中断了（保存于 %2，第 %3 / %4 步；文件在 %5）。</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="508"/>
        <source>NormScope did not close cleanly. The training of %1 was saved at %2, step %3 of %4.</source>
        <translation>NormScope 上次没有正常关闭。%1 的训练已于 %2 保存，第 %3 / %4 步。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/mainwindow.cpp" line="512"/>
        <source>(%n more after this one)</source>
        <translation>
            <numerusform>（之后还有 %n 个）</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="524"/>
        <source>Nothing was restored</source>
        <translation>没有恢复任何内容</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="539"/>
        <source>Restored %1, step %2</source>
        <translation>已恢复 %1，第 %2 步</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="555"/>
        <source>The experiment was not opened</source>
        <translation>未能打开实验</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="525"/>
        <location filename="../../ui/mainwindow.cpp" line="556"/>
        <source>%1

The current experiment is unchanged.</source>
        <translation>%1

当前实验保持不变。</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="571"/>
        <source>The experiment was not saved</source>
        <translation>未能保存实验</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="571"/>
        <location filename="../../ui/mainwindow.cpp" line="615"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="576"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="587"/>
        <source>Open experiment</source>
        <translation>打开实验</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="588"/>
        <source>NormScope experiments (*.json);;All files (*)</source>
        <translation>NormScope 实验 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="597"/>
        <source>Save experiment</source>
        <translation>保存实验</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="597"/>
        <source>NormScope experiments (*.json)</source>
        <translation>NormScope 实验 (*.json)</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="619"/>
        <source>%1: the name must end in .png, .svg, .pdf or .csv</source>
        <translation>%1：文件名必须以 .png、.svg、.pdf 或 .csv 结尾</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="625"/>
        <source>The chart was not exported</source>
        <translation>未能导出图表</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="626"/>
        <source>Exported %1</source>
        <translation>已导出 %1</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="645"/>
        <source>The bundle was not exported</source>
        <translation>未能导出结果包</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="646"/>
        <source>Exported %1 files to %2</source>
        <translation>已将 %1 个文件导出到 %2</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="655"/>
        <source>Export chart</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="656"/>
        <source>PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf);;CSV data (*.csv)</source>
        <translation>PNG 图像 (*.png);;SVG 矢量图 (*.svg);;PDF 文档 (*.pdf);;CSV 数据 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="661"/>
        <source>PNG scale</source>
        <translation>PNG 缩放倍数</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="661"/>
        <source>Pixels per screen pixel (2 for slides, 4 for print):</source>
        <translation>每个屏幕像素对应的图像像素数（做幻灯片用 2，印刷用 4）：</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="669"/>
        <source>Export all into folder</source>
        <translation>全部导出到文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="690"/>
        <source>About NormScope</source>
        <translation>关于 NormScope</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="691"/>
        <source>&lt;h3&gt;NormScope %1&lt;/h3&gt;&lt;p&gt;See, and teach, what normalization and residual connections do inside a Transformer.&lt;/p&gt;&lt;p&gt;The engine trains small Transformer encoders on the CPU with a hand-written backward pass checked against finite differences; every chart shows the engine&apos;s own numbers.&lt;/p&gt;&lt;p&gt;Built with Qt %2, Eigen and oneTBB.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;NormScope %1&lt;/h3&gt;&lt;p&gt;看清、讲清归一化和残差连接在 Transformer 内部起什么作用。&lt;/p&gt;&lt;p&gt;计算引擎在 CPU 上训练小型 Transformer 编码器，反向传播是手写的，并用有限差分做过校验；每张图表显示的都是引擎自己算出的数值。&lt;/p&gt;&lt;p&gt;基于 Qt %2、Eigen 和 oneTBB 构建。&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="785"/>
        <source>Hide this control</source>
        <translation>隐藏此控件</translation>
    </message>
    <message>
        <location filename="../../ui/mainwindow.cpp" line="790"/>
        <source>Show the hidden controls</source>
        <translation>显示已隐藏的控件</translation>
    </message>
</context>
<context>
    <name>nsui::NormAxesDiagram</name>
    <message>
        <location filename="../../ui/normaxesdiagram.cpp" line="93"/>
        <source>B (batch) = %1 sequences, each a T × D grid</source>
        <translation>B（批）= %1 条序列，每条是一个 T × D 网格</translation>
    </message>
    <message>
        <location filename="../../ui/normaxesdiagram.cpp" line="101"/>
        <source>sequence b = %1</source>
        <translation>序列 b = %1</translation>
    </message>
    <message>
        <location filename="../../ui/normaxesdiagram.cpp" line="104"/>
        <source>D (features) →</source>
        <translation>D（特征）→</translation>
    </message>
    <message>
        <location filename="../../ui/normaxesdiagram.cpp" line="109"/>
        <source>T (position) →</source>
        <translation>T（位置）→</translation>
    </message>
    <message>
        <location filename="../../ui/normaxesdiagram.cpp" line="194"/>
        <source>&amp;Normalization:</source>
        <translation>归一化方式(&amp;N)：</translation>
    </message>
    <message>
        <location filename="../../ui/normaxesdiagram.cpp" line="195"/>
        <source>Which normalization&apos;s grouping to shade</source>
        <translation>用阴影标出哪种归一化的分组</translation>
    </message>
    <message>
        <location filename="../../ui/normaxesdiagram.cpp" line="196"/>
        <source>Hover a cell: the shaded cells share its mean and variance</source>
        <translation>把鼠标悬停在某个格子上：阴影格子和它共用同一个均值和方差</translation>
    </message>
    <message>
        <location filename="../../ui/normaxesdiagram.cpp" line="260"/>
        <source>&lt;b&gt;LayerNorm&lt;/b&gt;: the shaded cells (sequence %1, position %2, all D = %3 features) share one mean and one variance. Every row of every grid has its own: B × T = %4 pairs of statistics, each from %3 numbers. The other sequences play no part, so the result does not depend on the batch, and training and evaluation compute exactly the same thing.</source>
        <translation>&lt;b&gt;层归一化（LayerNorm）&lt;/b&gt;：阴影格子（序列 %1，位置 %2，全部 D = %3 个特征）共用一个均值和一个方差。每个网格的每一行都有自己的一对：共 B × T = %4 对统计量，每对由 %3 个数算出。其他序列不参与计算，所以结果与这一批里有什么无关，训练和评估时的计算也完全相同。</translation>
    </message>
    <message>
        <location filename="../../ui/normaxesdiagram.cpp" line="270"/>
        <source>&lt;b&gt;BatchNorm&lt;/b&gt;: the shaded cells (feature %1 at every position of every sequence) share one mean and one variance: D = %2 pairs of statistics, each from B × T = %3 numbers. They change with whatever else is in the batch; in evaluation mode, running averages kept during training are used instead.</source>
        <translation>&lt;b&gt;批归一化（BatchNorm）&lt;/b&gt;：阴影格子（每条序列每个位置上的第 %1 个特征）共用一个均值和一个方差：共 D = %2 对统计量，每对由 B × T = %3 个数算出。它们会随这一批里的其他数据而变化；评估模式下改用训练时维护的滑动平均。</translation>
    </message>
    <message>
        <location filename="../../ui/normaxesdiagram.cpp" line="279"/>
        <source>&lt;b&gt;RMSNorm&lt;/b&gt;: the same groups as LayerNorm (sequence %1, position %2, all D = %3 features), but only one statistic: the root mean square √(mean(x²) + ε). No mean is subtracted and there is no β.</source>
        <translation>&lt;b&gt;RMSNorm&lt;/b&gt;：分组和层归一化（LayerNorm）相同（序列 %1，位置 %2，全部 D = %3 个特征），但只有一个统计量：均方根 √(mean(x²) + ε)。不减去均值，也没有 β。</translation>
    </message>
    <message>
        <location filename="../../ui/normaxesdiagram.cpp" line="287"/>
        <source>Hover a cell to choose it.</source>
        <translation>把鼠标悬停在格子上即可选中它。</translation>
    </message>
</context>
<context>
    <name>nsui::NormHeatmapPanel</name>
    <message>
        <location filename="../../ui/heatmap.cpp" line="327"/>
        <source>Run:</source>
        <translation>运行：</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="330"/>
        <source>Which run to show</source>
        <translation>显示哪个运行</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="333"/>
        <source>Norm site:</source>
        <translation>归一化层：</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="336"/>
        <source>Which norm&apos;s input to show, in every layer</source>
        <translation>显示每一层中哪个归一化层的输入</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="339"/>
        <source>Step:</source>
        <translation>训练步：</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="342"/>
        <source>Training step of the probe; step 0 is at initialisation</source>
        <translation>这次探测所在的训练步；第 0 步即初始化时</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="348"/>
        <location filename="../../ui/heatmap.cpp" line="478"/>
        <source>step 0 (at initialisation)</source>
        <translation>第 0 步（初始化时）</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="349"/>
        <source>same colours for every run</source>
        <translation>所有运行使用同一色标</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="351"/>
        <source>One colour scale across all runs, so that runs can be compared by colour</source>
        <translation>所有运行共用一个色标，便于按颜色比较不同的运行</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="368"/>
        <location filename="../../ui/heatmap.cpp" line="376"/>
        <source>log colour scale</source>
        <translation>对数色标</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="370"/>
        <source>Colours by order of magnitude: variances can grow many-fold with depth</source>
        <translation>按数量级着色：方差可能随深度成倍增长</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="372"/>
        <location filename="../../ui/heatmap.cpp" line="559"/>
        <location filename="../../ui/heatmap.cpp" line="561"/>
        <source>RMS of dLoss/dh</source>
        <translation>∂L/∂h 的 RMS</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="374"/>
        <source>Show the size of the loss gradient with respect to the hidden state instead of the hidden state itself</source>
        <translation>显示损失对隐藏状态的梯度大小，而不是隐藏状态本身</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="378"/>
        <source>Colours by order of magnitude</source>
        <translation>按数量级着色</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="382"/>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="382"/>
        <source>position in the sequence</source>
        <translation>序列中的位置</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="385"/>
        <source>after layer (0 = embedding)</source>
        <translation>第几层之后（0 = 嵌入层）</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="385"/>
        <source>training step</source>
        <translation>训练步</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="477"/>
        <source>no probes yet</source>
        <translation>尚无探测数据</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="479"/>
        <source>step %1</source>
        <translation>第 %1 步</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="506"/>
        <source>Variance entering a norm</source>
        <translation>进入归一化层的方差</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="507"/>
        <source>Residual stream RMS</source>
        <translation>残差流 RMS</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="526"/>
        <source>%1: no norm inside the layers</source>
        <translation>%1：各层内部没有归一化层</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="527"/>
        <source>%1, %2: variance entering %3</source>
        <translation>%1，%2：进入 %3 的方差</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="529"/>
        <source>variance over d_model (batch mean)</source>
        <translation>在 d_model 上的方差（批内平均）</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="549"/>
        <source>emb</source>
        <translation>嵌入</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="559"/>
        <source>residual stream RMS</source>
        <translation>残差流 RMS</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="561"/>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <location filename="../../ui/heatmap.cpp" line="561"/>
        <source>RMS of h</source>
        <translation>h 的 RMS</translation>
    </message>
</context>
<context>
    <name>nsui::NormSite</name>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="34"/>
        <source>embedding</source>
        <translation>嵌入归一化</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="35"/>
        <source>norm1 (attention)</source>
        <translation>norm1（注意力子层）</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="37"/>
        <source>norm1_out (after attention)</source>
        <translation>norm1_out（注意力之后）</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="38"/>
        <source>norm2 (feed-forward)</source>
        <translation>norm2（前馈子层）</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="40"/>
        <source>norm2_out (after feed-forward)</source>
        <translation>norm2_out（前馈之后）</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="41"/>
        <source>final</source>
        <translation>最终归一化</translation>
    </message>
</context>
<context>
    <name>nsui::NormStatsChart</name>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="121"/>
        <source>Norm site:</source>
        <translation>归一化层：</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="124"/>
        <source>Which normalization in the model to look at</source>
        <translation>查看模型中的哪一个归一化层</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="127"/>
        <source>Layer:</source>
        <translation>层：</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="130"/>
        <location filename="../../ui/normstatschart.cpp" line="387"/>
        <source>Layer of the norm, counted from 0 at the input</source>
        <translation>归一化层所在的层，从输入端起从 0 开始计数</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="133"/>
        <source>Sample:</source>
        <translation>样本：</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="136"/>
        <source>Average over the batch, or one sequence of the batch</source>
        <translation>对整批取平均，或者只看这一批中的某一条序列</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="137"/>
        <location filename="../../ui/normstatschart.cpp" line="393"/>
        <source>batch mean</source>
        <translation>批内平均</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="139"/>
        <source>Step:</source>
        <translation>训练步：</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="142"/>
        <source>Training step of the probe; step 0 is at initialisation</source>
        <translation>这次探测所在的训练步；第 0 步即初始化时</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="148"/>
        <location filename="../../ui/normstatschart.cpp" line="406"/>
        <source>step 0 (at initialisation)</source>
        <translation>第 0 步（初始化时）</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="176"/>
        <source>The norm each run uses at this site</source>
        <translation>每个运行在这个位置使用的归一化</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="187"/>
        <source>leaving the norm</source>
        <translation>离开归一化层</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="188"/>
        <source>entering the norm</source>
        <translation>进入归一化层</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="189"/>
        <source>mean 0, variance 1</source>
        <translation>均值 0，方差 1</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="191"/>
        <source>fit to output</source>
        <translation>纵轴适配输出</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="193"/>
        <source>Scale the y axes to the lines leaving the norm, so that small unevenness shows; lines entering the norm may run off the charts</source>
        <translation>按离开归一化层的曲线设定纵轴范围，细小的不均匀也能看清；进入归一化层的曲线可能会超出图表</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="205"/>
        <source>Untick &quot;fit to output&quot; to see them whole.</source>
        <translation>取消勾选“纵轴适配输出”即可看到完整曲线。</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="223"/>
        <source>position in the sequence</source>
        <translation>序列中的位置</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="244"/>
        <source>LayerNorm normalises each position&apos;s vector over its features: its output has mean 0 and variance 1 at every position until gamma and beta are trained. BatchNorm normalises each feature over the batch, so single positions are left uneven.</source>
        <translation>层归一化（LayerNorm）对每个位置的向量沿特征维度做归一化：在 γ 和 β 训练之前，每个位置的输出均值都是 0、方差都是 1。批归一化（BatchNorm）则是对每个特征沿批次做归一化，所以单个位置上的输出并不均匀。</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="248"/>
        <source>Mean of each position&apos;s vector</source>
        <translation>各位置向量的均值</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="249"/>
        <source>mean over d_model features</source>
        <translation>在 d_model 个特征上的均值</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="250"/>
        <source>Variance of each position&apos;s vector</source>
        <translation>各位置向量的方差</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="251"/>
        <source>variance over d_model features (biased)</source>
        <translation>在 d_model 个特征上的方差（有偏）</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="296"/>
        <location filename="../../ui/normstatschart.cpp" line="299"/>
        <location filename="../../ui/normstatschart.cpp" line="300"/>
        <source>%1, leaving</source>
        <translation>%1，离开</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="297"/>
        <location filename="../../ui/normstatschart.cpp" line="298"/>
        <source>%1, entering</source>
        <translation>%1，进入</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="388"/>
        <source>This norm sits outside the stack of layers</source>
        <translation>这个归一化层不在层的堆叠之内</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="394"/>
        <source>sample %1</source>
        <translation>样本 %1</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="405"/>
        <source>no probes yet</source>
        <translation>尚无探测数据</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="407"/>
        <source>step %1</source>
        <translation>第 %1 步</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="439"/>
        <source>diverged, no probe at this step</source>
        <translation>已发散，这一步没有探测数据</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="439"/>
        <source>no probe at this step</source>
        <translation>这一步没有探测数据</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="441"/>
        <source>no such norm</source>
        <translation>没有这个归一化层</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="446"/>
        <source>batch has only %1 samples</source>
        <translation>这一批只有 %1 个样本</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="475"/>
        <source>%1, layer %2</source>
        <translation>%1，第 %2 层</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="499"/>
        <source>Lines entering the norm run off the charts (variance up to %1).</source>
        <translation>进入归一化层的曲线超出了图表范围（方差最大达 %1）。</translation>
    </message>
    <message>
        <location filename="../../ui/normstatschart.cpp" line="502"/>
        <source>Lines entering the norm run off the mean chart.</source>
        <translation>进入归一化层的曲线超出了均值图的范围。</translation>
    </message>
</context>
<context>
    <name>nsui::SampleGrid</name>
    <message>
        <location filename="../../ui/layernormformulaview.cpp" line="222"/>
        <source>position %1, feature %2: %3</source>
        <translation>位置 %1，特征 %2：%3</translation>
    </message>
</context>
<context>
    <name>nsui::TrainingCurvesChart</name>
    <message>
        <location filename="../../ui/curveschart.cpp" line="127"/>
        <source>Smoothing</source>
        <translation>平滑</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="133"/>
        <source>Exponential moving average of the training curves (0 = raw values)</source>
        <translation>对训练曲线做指数滑动平均（0 = 原始值）</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="137"/>
        <source>Log-scale loss</source>
        <translation>损失用对数坐标</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="139"/>
        <source>Show the loss on a logarithmic axis</source>
        <translation>用对数坐标轴显示损失</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="140"/>
        <source>Hide validation</source>
        <translation>隐藏验证曲线</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="142"/>
        <source>Show only the training curves</source>
        <translation>只显示训练曲线</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="161"/>
        <location filename="../../ui/curveschart.cpp" line="170"/>
        <source>step (updates)</source>
        <translation>训练步（参数更新次数）</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="163"/>
        <source>cross-entropy loss (nats)</source>
        <translation>交叉熵损失（nat）</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="165"/>
        <source>cross-entropy loss (nats, log scale)</source>
        <translation>交叉熵损失（nat，对数坐标）</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="172"/>
        <source>token accuracy (%)</source>
        <translation>词元准确率（%）</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="192"/>
        <source>diverged</source>
        <translation>发散</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="205"/>
        <source>validation</source>
        <translation>验证</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="218"/>
        <source>Drag a rectangle to zoom in, double-click to zoom out</source>
        <translation>拖出一个矩形框可放大，双击可缩小</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="332"/>
        <source>training (smoothed %1; faint: raw)</source>
        <translation>训练（平滑 %1；浅色：原始值）</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="332"/>
        <source>training</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="380"/>
        <source>%1 diverged at step %2: %3</source>
        <translation>%1 在第 %2 步发散：%3</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="575"/>
        <source>validation loss %1</source>
        <translation>验证损失 %1</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="575"/>
        <source>training loss %1 (smoothed)</source>
        <translation>训练损失 %1（平滑后）</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="575"/>
        <source>training loss %1</source>
        <translation>训练损失 %1</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="577"/>
        <source>validation accuracy %1 %</source>
        <translation>验证准确率 %1%</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="577"/>
        <source>training accuracy %1 % (smoothed)</source>
        <translation>训练准确率 %1%（平滑后）</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="577"/>
        <source>training accuracy %1 %</source>
        <translation>训练准确率 %1%</translation>
    </message>
    <message>
        <location filename="../../ui/curveschart.cpp" line="579"/>
        <source>%1, step %2, %3</source>
        <translation>%1，第 %2 步，%3</translation>
    </message>
</context>
</TS>
